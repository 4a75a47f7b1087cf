export * from './profiles';
export * from './sessions';
export * from './messages';
export * from './wins';
export * from './coaching_notes';
export * from './focus_areas';
