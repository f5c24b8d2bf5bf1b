// The classes a scene is labelled with: the environments the classifier names (issue 3's minimum
// set) and the emergency sounds that must override cancellation. The order is the label order a
// model blob lists, so it only ever grows at the end.

export const ENVIRONMENT_CLASSES = ['quiet', 'traffic', 'aircraft', 'train', 'machinery', 'office', 'babble', 'wind'] as const;
export const EMERGENCY_CLASSES = ['siren', 'alarm', 'horn'] as const;
export const SCENE_CLASSES = [...ENVIRONMENT_CLASSES, ...EMERGENCY_CLASSES] as const;

export type EnvironmentClass = (typeof ENVIRONMENT_CLASSES)[number];
export type EmergencyClass = (typeof EMERGENCY_CLASSES)[number];
export type SceneClass = (typeof SCENE_CLASSES)[number];

export function isEmergency(c: SceneClass): c is EmergencyClass {
  return (EMERGENCY_CLASSES as readonly string[]).includes(c);
}

export function parseSceneClass(name: string): SceneClass {
  if (!(SCENE_CLASSES as readonly string[]).includes(name)) throw new Error(`unknown scene class "${name}": one of ${SCENE_CLASSES.join(', ')}`);
  return name as SceneClass;
}
