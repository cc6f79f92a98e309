import type { EmbeddingProvider } from './provider.js';

/**
 * The offline embedder: a deterministic feature-hashing model, not a neural one. Each text becomes
 * word features (unigrams, bigrams) and character n-gram features (3- and 4-grams of each word,
 * padded with boundary marks), weighted by sublinear tf (1 + ln tf), hashed with a sign bit into
 * `dimension` buckets, each family L2-normalised and mixed, then the whole vector L2-normalised.
 *
 * Why character n-grams: Russian inflects heavily (макет, макеты, макетов) and people mistype; the
 * forms of one word share most of their n-grams, so they land near each other without a stemmer
 * or dictionary. What it cannot do is know synonyms or translate: "logo" and "логотип" are
 * unrelated to it. For that, configure an embeddings model (EMBEDDING_PROVIDER=openai).
 */
export const LOCAL_EMBEDDER_MODEL = 'cairn-local-hash-v1';

// Mixing weights of the two feature families, tuned on server/test/rag/queries.json: characters
// carry morphology and typos, words carry exact-term precision.
const WORD_WEIGHT = 0.55;
const CHAR_WEIGHT = 0.85;
const BIGRAM_WEIGHT = 0.5;

// Function words of both languages add nothing but noise to hashed features.
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by do does did for from has have i if in into is it its me my no not of on or ' +
    'our so that the their them then there these they this to was we were what when where which who will ' +
    'with you your can could would should please hi hello thanks ' +
    'и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было ' +
    'вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь ' +
    'опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам ' +
    'чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь ' +
    'этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой ' +
    'хоть после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою ' +
    'этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между это привет спасибо пожалуйста'
  ).split(' '),
);

export function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replaceAll('ё', 'е');
}

export function tokenize(text: string): string[] {
  return normaliseText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function createLocalEmbedder(options: { dimension: number }): EmbeddingProvider {
  const dimension = options.dimension;
  return {
    name: 'local',
    model: LOCAL_EMBEDDER_MODEL,
    dimension,
    maxBatchInputs: 1024,
    embed(texts) {
      return Promise.resolve({ vectors: texts.map((t) => embedText(t, dimension)), tokens: 0 });
    },
  };
}

export function embedText(text: string, dimension: number): number[] {
  const content = tokenize(text).filter((t) => !STOP_WORDS.has(t));
  // Features are keyed by their 32-bit hash: no n-gram strings are built, which keeps the
  // embedder at tens of microseconds per message (bench/search measures it end to end).
  const words = new Map<number, number>();
  const chars = new Map<number, number>();
  for (let i = 0; i < content.length; i++) {
    const token = content[i]!;
    bump(words, hashString(token, WORD_SEED), 1);
    if (i > 0)
      bump(words, hashString(`${content[i - 1]}\u0001${token}`, BIGRAM_SEED), BIGRAM_WEIGHT);
    addCharNgrams(chars, token);
  }
  const vector = new Array<number>(dimension).fill(0);
  addFamily(vector, words, WORD_WEIGHT);
  addFamily(vector, chars, CHAR_WEIGHT);
  return l2normalise(vector);
}

const WORD_SEED = 0x811c9dc5;
const BIGRAM_SEED = 0x01000193;
const NGRAM_SEED = 0x9e3779b9;
const BOUNDARY_START = 0x02;
const BOUNDARY_END = 0x03;

/** 3- and 4-grams of the word padded with boundary marks, hashed straight from code units. */
function addCharNgrams(chars: Map<number, number>, token: string) {
  const length = token.length + 2;
  const codeAt = (j: number) =>
    j === 0 ? BOUNDARY_START : j === length - 1 ? BOUNDARY_END : token.charCodeAt(j - 1);
  for (let n = 3; n <= 4; n++) {
    for (let j = 0; j + n <= length; j++) {
      let h = NGRAM_SEED ^ n;
      for (let k = 0; k < n; k++) {
        h ^= codeAt(j + k);
        h = Math.imul(h, 0x01000193);
      }
      bump(chars, avalanche(h), 1);
    }
  }
}

function bump(map: Map<number, number>, key: number, weight: number) {
  map.set(key, (map.get(key) ?? 0) + weight);
}

/** Adds one feature family, itself L2-normalised so long texts do not drown the other family. */
function addFamily(vector: number[], features: Map<number, number>, weight: number) {
  const buckets = new Map<number, number>();
  for (const [h, tf] of features) {
    const bucket = (h & 0x7fffffff) % vector.length;
    const sign = (h & 0x80000000) === 0 ? 1 : -1;
    // Sublinear tf: the fifth repetition of a word says less than the first.
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + sign * (1 + Math.log(tf)));
  }
  let norm = 0;
  for (const x of buckets.values()) norm += x * x;
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (const [bucket, x] of buckets) vector[bucket]! += x * scale;
}

function l2normalise(vector: number[]): number[] {
  let norm = 0;
  for (const x of vector) norm += x * x;
  // An empty text has no features: a zero vector would make cosine undefined, so mark one bucket.
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) vector[i]! *= scale;
  return vector;
}

/** 32-bit FNV-1a over UTF-16 code units, then an avalanche so nearby strings spread. */
function hashString(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return avalanche(h);
}

function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
