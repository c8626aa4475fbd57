export { DEFAULT_MAX_QUEUED_BYTES, EmbeddedBroker, type EmbeddedBrokerOptions } from './broker.js';
