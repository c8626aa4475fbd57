// The conformance corpus (conformance-suite.ts) on the mosquitto broker: a file per broker so the two run in parallel.
import { brokerKinds } from '../helpers/brokers.js';
import { conformanceSuite } from './conformance-suite.js';

for (const kind of brokerKinds().filter((k) => k === 'mosquitto')) conformanceSuite(kind);
