export { buildCoachingPrompt } from './prompt';
export type { CoachingPrompt } from './prompt';
