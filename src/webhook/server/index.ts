import '../../single-file.js';
import { run } from './main.js';

await run();
