// Fails (at type-check or run time) when the channel lists and the contract types drift apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_CHANNELS, REQUEST_CHANNELS, type EventChannel, type RequestChannel } from './contract';

type Missing<All, Listed> = Exclude<All, Listed>;
// If a channel is added to Requests/Events but not listed, these become non-never and fail to compile.
const noMissingRequests: [Missing<RequestChannel, (typeof REQUEST_CHANNELS)[number]>] extends [never] ? true : false = true;
const noMissingEvents: [Missing<EventChannel, (typeof EVENT_CHANNELS)[number]>] extends [never] ? true : false = true;

test('channel lists have no duplicates and cover the contract', () => {
  assert.equal(noMissingRequests, true);
  assert.equal(noMissingEvents, true);
  assert.equal(new Set(REQUEST_CHANNELS).size, REQUEST_CHANNELS.length);
  assert.equal(new Set(EVENT_CHANNELS).size, EVENT_CHANNELS.length);
  for (const c of [...REQUEST_CHANNELS, ...EVENT_CHANNELS]) assert.match(c, /^[a-z]+\.[a-zA-Z]+$/);
});
