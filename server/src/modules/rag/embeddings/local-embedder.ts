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
  const tokens = tokenize(text);
  const content = tokens.filter((t) => !STOP_WORDS.has(t));
  const words = new Map<string, number>();
  const chars = new Map<string, number>();
  for (let i = 0; i < content.length; i++) {
    const token = content[i]!;
    bump(words, `w\u0001${token}`, 1);
    if (i > 0) bump(words, `b\u0001${content[i - 1]}\u0001${token}`, BIGRAM_WEIGHT);
    const padded = `\u0002${token}\u0003`;
    for (let n = 3; n <= 4; n++) {
      for (let j = 0; j + n <= padded.length; j++) bump(chars, padded.slice(j, j + n), 1);
    }
  }
  const vector = new Float64Array(dimension);
  addFamily(vector, words, WORD_WEIGHT);
  addFamily(vector, chars, CHAR_WEIGHT);
  return l2normalise(vector);
}

function bump(map: Map<string, number>, key: string, weight: number) {
  map.set(key, (map.get(key) ?? 0) + weight);
}

/** Adds one feature family, itself L2-normalised so long texts do not drown the other family. */
function addFamily(vector: Float64Array, features: Map<string, number>, weight: number) {
  const family = new Float64Array(vector.length);
  for (const [feature, tf] of features) {
    const h = fnv1a(feature);
    const sign = (h & 0x80000000) === 0 ? 1 : -1;
    // Sublinear tf: the fifth repetition of a word says less than the first.
    family[(h & 0x7fffffff) % vector.length]! += sign * (1 + Math.log(tf));
  }
  let norm = 0;
  for (const x of family) norm += x * x;
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i]! += family[i]! * scale;
}

function l2normalise(vector: Float64Array): number[] {
  let norm = 0;
  for (const x of vector) norm += x * x;
  // An empty text has no features: a zero vector would make cosine undefined, so mark one bucket.
  if (norm === 0) {
    const out = new Array<number>(vector.length).fill(0);
    out[0] = 1;
    return out;
  }
  const scale = 1 / Math.sqrt(norm);
  return Array.from(vector, (x) => x * scale);
}

/** 32-bit FNV-1a over UTF-16 code units, with a final avalanche so nearby strings spread. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
