/**
 * The claims layer's public surface, kept importable as `model/claims.js` (the code lives in
 * `src/model/claims/`, one module per layer; see its index.ts).
 */
export * from './claims/index.js';
