import { createLogger } from '../shared/log.js';
import { SimulatedCamera, type SimulatedCameraOptions } from './sim-camera.js';

/**
 * A simulated camera in its own process, so a benchmark's stamps are written on time whatever
 * the server's event loop is doing, and its CPU is counted apart. Options as JSON in argv[2];
 * prints one JSON line {rtspUrl, pids} when playable; stops when stdin closes.
 */
const opts = JSON.parse(process.argv[2] ?? '{}') as SimulatedCameraOptions;
const sim = new SimulatedCamera({ ...opts, logger: createLogger('warn') });
await sim.start();
process.stdout.write(JSON.stringify({ rtspUrl: sim.rtspUrl, pids: sim.pids() }) + '\n');
const stop = () => void sim.stop().then(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.once('SIGTERM', stop);
process.stdin.resume();
