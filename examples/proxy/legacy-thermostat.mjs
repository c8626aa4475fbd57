#!/usr/bin/env node
// Plays a thermostat whose firmware knows nothing about MCP: plain MQTT.js, its own topics, its own JSON.
// It publishes telemetry every few seconds, obeys commands on home/livingroom/ac/set (then publishes its new
// state, which is the confirmation the proxy waits for), and answers MQTT 5 requests on .../ac/query.
//
//   node examples/proxy/legacy-thermostat.mjs [--broker mqtt://127.0.0.1:1883] [--interval 2000]
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';

const { values } = parseArgs({
  options: { broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' }, interval: { type: 'string', default: '2000' } },
});
const intervalMs = Math.max(100, Number(values.interval) || 2000);
const room = 'home/livingroom';
const MODES = ['heat', 'eco', 'off'];
const startedAt = Date.now();

const state = { target: 21, mode: 'heat' };
let temperature = 19.5;
let humidity = 45;
let battery = 87;
let alarmRaised = false;

const client = mqtt.connect(values.broker, { protocolVersion: 5, clientId: `legacy-thermostat-${process.pid}` });

function publishState() {
  client.publish(`${room}/ac/state`, JSON.stringify(state), { qos: 1, retain: true });
}

function publishTelemetry() {
  const goal = state.mode === 'off' ? 16 : state.mode === 'eco' ? state.target - 2 : state.target;
  temperature += Math.sign(goal - temperature) * Math.min(0.3, Math.abs(goal - temperature));
  humidity = Math.min(100, Math.max(0, humidity + (Math.random() - 0.5)));
  battery = Math.max(0, battery - (Math.random() < 0.05 ? 1 : 0));
  // The firmware reports tenths of a degree as plain text, as many cheap sensors do.
  client.publish(`${room}/temperature`, String(Math.round(temperature * 10)), { qos: 0 });
  client.publish(`${room}/climate`, JSON.stringify({ humidity: Math.round(humidity * 10) / 10, battery }), { qos: 0 });
  if (temperature > 28 && !alarmRaised) {
    alarmRaised = true;
    client.publish(`${room}/ac/alarm`, JSON.stringify({ code: 'E7', text: `room at ${temperature.toFixed(1)} °C, check the heating valve` }), { qos: 1 });
  } else if (temperature < 27) {
    alarmRaised = false;
  }
}

function obey(text) {
  let command;
  try {
    command = JSON.parse(text);
  } catch {
    console.log(`ignored a command that is not JSON: ${text}`);
    return;
  }
  if (typeof command.target === 'number' && command.target >= 5 && command.target <= 32) state.target = command.target;
  if (MODES.includes(command.mode)) state.mode = command.mode;
  console.log(`command ${text} -> state ${JSON.stringify(state)}`);
  publishState();
}

client.on('connect', () => {
  console.log(`legacy thermostat connected to ${values.broker}`);
  client.subscribe([`${room}/ac/set`, `${room}/ac/query`], { qos: 1 });
  publishState();
  publishTelemetry();
});

client.on('message', (topic, payload, packet) => {
  if (topic === `${room}/ac/set`) return obey(payload.toString());
  if (topic === `${room}/ac/query`) {
    const responseTopic = packet.properties?.responseTopic;
    if (!responseTopic) return;
    const reply = { firmware: '3.1.4', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), ...state };
    client.publish(responseTopic, JSON.stringify(reply), { qos: 1, properties: { correlationData: packet.properties?.correlationData } });
  }
});

const timer = setInterval(publishTelemetry, intervalMs);

function shutdown() {
  clearInterval(timer);
  client.end(false, {}, () => process.exit(0));
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
