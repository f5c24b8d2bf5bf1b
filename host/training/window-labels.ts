// What each network input of a clip is about. A clip's label says what the clip is, but an
// emergency sound may fill only part of it: a horn toot of 0.1 s in a 2 s clip, the silences
// between a T3 alarm's beeps, the background before the onset. A window that hears none of the
// sound is its background, and training it as "horn" would teach the network that traffic is a
// horn; so with the generator's labels (where the sound is, and over which environment) such
// windows take the background's class, and windows that hear only a sliver are left out.
import type { DatasetClip } from './dataset-reader.ts';
import type { FrontEnd } from './feature-settings.ts';

/** A window must hear this much of the sound to be labelled with it. */
export const MIN_SOUND_SECONDS = 0.1;

/** Label of the window ending at frame `end` (exclusive): a class index, or -1 (left out). */
export function windowLabel(clip: Pick<DatasetClip, 'classIndex' | 'sound'>, end: number, fe: FrontEnd): number {
  if (!clip.sound) return clip.classIndex;
  // frame m covers samples m * hop .. m * hop + frameLength of the front end's rate
  const from = ((end - fe.contextFrames) * fe.hopLength) / fe.sampleRate;
  const to = ((end - 1) * fe.hopLength + fe.frameLength) / fe.sampleRate;
  let heard = 0;
  for (const [on, off] of clip.sound.active) heard += Math.max(0, Math.min(to, off) - Math.max(from, on));
  if (heard >= MIN_SOUND_SECONDS) return clip.classIndex;
  return heard === 0 ? (clip.sound.backgroundIndex ?? -1) : -1;
}
