export * from './api.js';
export * from './config.js';
export * from './enums.js';
export * from './error.js';
export * from './migration.js';
