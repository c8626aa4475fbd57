export { DEFAULT_MAX_QUEUED_BYTES, EmbeddedBroker, type EmbeddedBrokerOptions } from './broker.js';
export type { BrokerEvent, BrokerObserver, ConnectEvent, PublishEvent, SubscribeEvent } from './observer.js';
export { NOT_AUTHORIZED, type BrokerAuthorizer, type ConnectRequest, type PublishRefusal, type PublishRequest, type SubscribeRequest } from './authorizer.js';
