// The scenario registry: the suite by name.
import { SUITE } from './suite.ts';
import type { Scenario } from './scenario.ts';

export type { Scenario } from './scenario.ts';

export const SCENARIOS: readonly Scenario[] = SUITE;

export function getScenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown scenario "${name}": one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}
