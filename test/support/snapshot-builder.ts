/** The snapshot builder moved into src/ so that `trailwarden test` and the tests share it. */
export * from '../../src/policy/snapshot-builder.js';
