import type { Sleep } from './ports.js';

/** The real wait, for production wiring; tests inject their own Sleep. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
