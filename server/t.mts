import { loadConfig } from './src/config.ts';
import { withEvalDatabase } from './scripts/eval-database.ts';
import { loadDemoStudio, loadQuestions } from './scripts/eval-ask.ts';
import { askQuestion } from './src/modules/rag/ask/ask-question.ts';
const config = loadConfig(process.env);
await withEvalDatabase(config, async (database, c) => {
  const { scope, provider } = await loadDemoStudio(database, c);
  const qs = (await loadQuestions()).filter((q) => ['a10','a11','a27','a58','a21'].includes(q.id));
  for (const q of qs) {
    const a = await askQuestion({ database, config: c, scope, userId: null, embedder: provider, chat: null, body: { question: q.question }, signal: new AbortController().signal, emit: () => {} });
    console.log('\n==', q.id, q.question, q.messages);
    console.log(a.answer);
    console.log(a.evidence.map(e => e.n + ' ' + e.message_global_id.split(':').pop() + ' ' + e.quote.slice(0, 70)).join('\n'));
  }
});
