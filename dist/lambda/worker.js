// The handler the templates name: its bundle is ./worker/ (scripts/build.js).
export { handler } from './worker/index.js';
