// Fund-wide audit facts from the other domains' records (read-only). Filled in as the domains land.
import type { FindingCandidate } from './domain/rules.ts';

export async function fundWideFindings(_today: string): Promise<FindingCandidate[]> {
  return [];
}
