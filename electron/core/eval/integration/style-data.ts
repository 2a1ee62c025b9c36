/**
 * A small format-teaching dataset for the real-model evaluation tests: weather notes in free English go in,
 * one JSON object with fixed keys comes out. No base model answers this way, a short LoRA learns it, and
 * every metric has something to say (JSON validity and keys, exact match, ROUGE-L, chrF). The held-out
 * rows are about cities the training rows never mention. No system message: SmolLM2's template adds its
 * default one, as training saw it. Deterministic (seeded), so a cached training stays valid.
 */
import fs from 'node:fs';
import path from 'node:path';
import { prng } from '../../datasets/split';

const TRAIN_CITIES = [
  'Paris', 'Berlin', 'Madrid', 'Rome', 'Vienna', 'Prague', 'Warsaw', 'Lisbon', 'Dublin', 'Oslo', 'Helsinki', 'Athens',
  'Budapest', 'Brussels', 'Amsterdam', 'Zurich', 'Geneva', 'Munich', 'Hamburg', 'Milan', 'Naples', 'Seville', 'Porto', 'Lyon',
  'Marseille', 'Krakow', 'Riga', 'Tallinn', 'Vilnius', 'Sofia', 'Bucharest', 'Belgrade', 'Zagreb', 'Ljubljana', 'Bratislava', 'Copenhagen',
  'Stockholm', 'Gothenburg', 'Bergen', 'Reykjavik',
];
const EVAL_CITIES = ['Tokyo', 'Lima', 'Nairobi', 'Toronto', 'Sydney', 'Cairo', 'Denver', 'Manila', 'Hanoi', 'Quito', 'Perth', 'Osaka'];
const SKIES = ['sunny', 'cloudy', 'rainy', 'foggy', 'snowy', 'windy', 'stormy', 'clear'];
const PHRASES: ((c: string, s: string, t: number) => string)[] = [
  (c, s, t) => `Weather report for ${c}: ${s}, ${t} degrees.`,
  (c, s, t) => `Log this: it is ${s} in ${c} and ${t} degrees Celsius.`,
  (c, s, t) => `${c} today is ${s} with a temperature of ${t}.`,
  (c, s, t) => `Record the weather in ${c}. Sky: ${s}. Temperature: ${t} C.`,
];

function row(city: string, sky: string, temp: number, phrase: number): string {
  const reply = `{"city": ${JSON.stringify(city)}, "sky": ${JSON.stringify(sky)}, "temp_c": ${temp}}`;
  return JSON.stringify({ messages: [{ role: 'user', content: PHRASES[phrase](city, sky, temp) }, { role: 'assistant', content: reply }] });
}

export function styleRows(): { train: string[]; eval: string[] } {
  const rand = prng(11);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const temp = () => Math.floor(rand() * 46) - 10;
  const train: string[] = [];
  for (let i = 0; i < 160; i++) train.push(row(TRAIN_CITIES[i % TRAIN_CITIES.length], pick(SKIES), temp(), Math.floor(rand() * PHRASES.length)));
  const evals = EVAL_CITIES.map((c, i) => row(c, pick(SKIES), temp(), i % PHRASES.length));
  return { train, eval: evals };
}

/** Writes train.jsonl and eval.jsonl into dir; returns their paths. */
export function writeStyleData(dir: string): { train: string; eval: string } {
  fs.mkdirSync(dir, { recursive: true });
  const { train, eval: evals } = styleRows();
  const files = { train: path.join(dir, 'style-train.jsonl'), eval: path.join(dir, 'style-eval.jsonl') };
  fs.writeFileSync(files.train, `${train.join('\n')}\n`);
  fs.writeFileSync(files.eval, `${evals.join('\n')}\n`);
  return files;
}
