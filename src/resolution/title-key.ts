import { comparisonKey } from './normalize';

/** A title's comparison key: `abhayAmbA jagadambA` and `Abhayamba Jagadamba` are one title. */
export function titleKey(title: string): string {
  return comparisonKey(title, { stripHonorifics: false });
}
