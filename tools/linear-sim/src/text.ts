// Text of generated entities, rebuilt from (seed, index) each time it is read unless a control
// operation stored a replacement: the world keeps no strings for 80,000 entities.
import { rngFor, type Topic } from '@cairn/studio';
import {
  commentBody,
  issueDescription,
  issueTitle,
  needBody,
  projectDescription,
  projectName,
  WORK_KINDS,
  type TextContext,
} from './corpus.js';
import {
  LINEAR_NS,
  type CommentRecord,
  type IssueRecord,
  type LinearWorld,
  type NeedRecord,
  type ProjectRecord,
} from './world.js';

function topicOf(world: LinearWorld, key: string): Topic {
  return world.studio.topics.find((t) => t.key === key) ?? world.studio.topics[0]!;
}

function contextFor(
  world: LinearWorld,
  language: TextContext['language'],
  topicKey: string,
  projectIndex: number,
  at: number,
): TextContext {
  const project = projectIndex >= 0 ? world.projects[projectIndex] : undefined;
  const company = project ? world.studio.companies[project.companyIndex] : undefined;
  return {
    language,
    topic: topicOf(world, topicKey),
    company: company ? { name: company.name, domain: company.domains[0]! } : null,
    staff: world.users.filter((u) => u.active).map((u) => u.displayName),
    at,
  };
}

export function issueTitleOf(world: LinearWorld, issue: IssueRecord): string {
  if (issue.titleOverride !== null) return issue.titleOverride;
  const rng = rngFor(world.seedHash, LINEAR_NS.issueText, issue.index);
  const ctx = contextFor(
    world,
    issue.language,
    issue.topicKey,
    issue.projectIndex,
    issue.createdAt,
  );
  return issueTitle(rng, WORK_KINDS[issue.kindIndex]!, ctx);
}

export function issueDescriptionOf(world: LinearWorld, issue: IssueRecord): string | null {
  if (issue.descriptionOverride !== null) return issue.descriptionOverride.value;
  const rng = rngFor(world.seedHash, LINEAR_NS.issueText, issue.index, 1);
  const ctx = contextFor(
    world,
    issue.language,
    issue.topicKey,
    issue.projectIndex,
    issue.createdAt,
  );
  return issueDescription(rng, WORK_KINDS[issue.kindIndex]!, ctx);
}

export function commentBodyOf(world: LinearWorld, comment: CommentRecord): string {
  if (comment.bodyOverride !== null) return comment.bodyOverride;
  const issue = world.issues[comment.issueIndex]!;
  const rng = rngFor(world.seedHash, LINEAR_NS.commentText, comment.index);
  return commentBody(
    rng,
    contextFor(world, issue.language, issue.topicKey, issue.projectIndex, comment.createdAt),
  );
}

export function needBodyOf(world: LinearWorld, need: NeedRecord): string {
  if (need.bodyOverride !== null) return need.bodyOverride;
  const issue = world.issues[need.issueIndex]!;
  const rng = rngFor(world.seedHash, LINEAR_NS.needText, need.index);
  return needBody(
    rng,
    contextFor(world, issue.language, issue.topicKey, issue.projectIndex, need.createdAt),
  );
}

export function projectTextOf(
  world: LinearWorld,
  project: ProjectRecord,
): { name: string; description: string } {
  const rng = rngFor(world.seedHash, LINEAR_NS.projectText, project.index);
  const ctx = contextFor(
    world,
    project.language,
    project.topicKey,
    project.index,
    project.createdAt,
  );
  return { name: projectName(ctx), description: projectDescription(rng, ctx) };
}
