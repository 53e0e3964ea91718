import { Schema } from 'mongoose';
import { DIMENSIONS, SCALES, SIDES } from '../domain/dimension.js';

/** One client–provider relationship; `_id` is the engagement id of the engagement file. */
export const engagementSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    client: { type: String, required: true },
    provider: { type: String, required: true },
    timezone: { type: String, required: true },
    cadence: { type: Schema.Types.Mixed, required: true },
    questionsPerPulse: { type: Number, required: true },
    reminders: { type: Number, required: true },
    closesAfterDays: { type: Number, required: true },
    privacyThreshold: { type: Number, required: true },
    windowWeeks: { type: Number, required: true },
    quietHours: { type: Schema.Types.Mixed, default: null },
    paused: { type: Boolean, default: false },
  },
  { versionKey: false },
);

const slackIdentity = new Schema({ team: String, user: String }, { _id: false });
const teamsIdentity = new Schema({ tenant: String, user: String }, { _id: false });

/** A stakeholder of one engagement, on one side, reachable on one or two platforms. */
export const personSchema = new Schema(
  {
    engagementId: { type: String, required: true },
    personId: { type: String, required: true },
    name: { type: String, default: null },
    side: { type: String, enum: SIDES, required: true },
    roles: { type: [String], required: true },
    /** The time zone from the engagement file; wins over what the platforms report. */
    configTimezone: { type: String, default: null },
    /** The time zone a platform reported last (Slack users.info, Teams localTimezone). */
    platformTimezone: { type: String, default: null },
    /** When a platform was last asked for the time zone; Slack is asked again after a week. */
    platformTimezoneCheckedAt: { type: Date, default: null },
    slack: { type: slackIdentity, default: null },
    teams: { type: teamsIdentity, default: null },
    /** The Teams conversation reference kept at install, for proactive messages. */
    teamsReference: { type: Schema.Types.Mixed, default: null },
    active: { type: Boolean, default: true },
    pausedUntil: { type: Date, default: null },
  },
  { versionKey: false },
);
personSchema.index({ engagementId: 1, personId: 1 }, { unique: true });
personSchema.index({ 'slack.team': 1, 'slack.user': 1 });
personSchema.index({ 'teams.tenant': 1, 'teams.user': 1 });

/** One wave of questions for one engagement occurrence; `_id` is `ENGAGEMENT--DATE`. */
export const pulseSchema = new Schema(
  {
    _id: { type: String, required: true },
    engagementId: { type: String, required: true },
    occurrence: { type: String, required: true },
    openedAt: { type: Date, required: true },
    closesAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
    /**
     * Person ids of the pulse's deliveries (`PULSE--PERSON`), so closing finds them by key.
     * Absent on pulses planned before it was kept; those are closed by a query instead.
     */
    people: { type: [String], default: undefined },
  },
  { timestamps: true, versionKey: false },
);
pulseSchema.index({ engagementId: 1, occurrence: 1 }, { unique: true });

export const DELIVERY_STATES = [
  'scheduled',
  'sending',
  'sent',
  'answered',
  'expired',
  'unreachable',
  'paused',
  'failed',
] as const;

const questionRef = new Schema(
  {
    id: String,
    dimension: { type: String, enum: DIMENSIONS },
    scale: { type: String, enum: SCALES },
  },
  { _id: false },
);

/** One person's copy of one pulse; `_id` is `PULSE--PERSON`. */
export const deliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    pulseId: { type: String, required: true },
    engagementId: { type: String, required: true },
    personId: { type: String, required: true },
    /** The person document's `_id`, so sending looks the person up by key. */
    personRef: { type: Schema.Types.ObjectId, default: null },
    side: { type: String, enum: SIDES, required: true },
    platform: { type: String, enum: ['slack', 'teams'], default: null },
    state: { type: String, enum: DELIVERY_STATES, required: true },
    questions: { type: [questionRef], required: true },
    dueAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
    answeredAt: { type: Date, default: null },
    /** Platform message reference, so the message can be updated after a click. */
    message: { type: Schema.Types.Mixed, default: null },
    error: { type: String, default: null },
    /** Claims to send so far; a claim after the first looks for an earlier post first. */
    sendAttempts: { type: Number, default: 0 },
    /** While `sending`, no other process may claim the delivery before this instant. */
    claimedUntil: { type: Date, default: null },
    /** Reminders sent so far (0–2). */
    remindersSent: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);
deliverySchema.index({ pulseId: 1, personId: 1 }, { unique: true });
deliverySchema.index({ engagementId: 1, state: 1 });

/**
 * One score for one question in one pulse by one person; the last click counts. `_id` is
 * `PULSE--QUESTION--PERSON` (see answerIdOf), so the write path finds it by id alone.
 */
export const answerSchema = new Schema(
  {
    _id: { type: String, required: true },
    engagementId: { type: String, required: true },
    pulseId: { type: String, required: true },
    questionId: { type: String, required: true },
    personId: { type: String, required: true },
    side: { type: String, enum: SIDES, required: true },
    dimension: { type: String, enum: DIMENSIONS, required: true },
    scale: { type: String, enum: SCALES, required: true },
    score: { type: Number, required: true },
    answeredAt: { type: Date, required: true },
    source: { type: String, enum: ['slack', 'teams', 'import'], required: true },
  },
  { timestamps: true, versionKey: false },
);
answerSchema.index({ pulseId: 1, questionId: 1, personId: 1 }, { unique: true });
answerSchema.index({ engagementId: 1, answeredAt: 1 });

/** An item of an engagement's joint action plan; `_id` is `ENGAGEMENT--ACTION`. */
export const actionItemSchema = new Schema(
  {
    _id: { type: String, required: true },
    engagementId: { type: String, required: true },
    actionId: { type: String, required: true },
    title: { type: String, required: true },
    dimension: { type: String, enum: DIMENSIONS, required: true },
    /** Person ids of the owners, ideally one per side. */
    owners: { type: [String], required: true },
    source: { type: String, enum: ['file', 'cli', 'chat'], required: true },
  },
  { timestamps: true, versionKey: false },
);
actionItemSchema.index({ engagementId: 1, actionId: 1 }, { unique: true });

const replan = new Schema(
  { from: String, to: String, reason: String, by: String, at: Date },
  { _id: false },
);

const blocker = new Schema({ reason: String, by: String, at: Date }, { _id: false });

/** A dated step of an action item; `_id` is `ENGAGEMENT--MILESTONE`. Dates are `yyyy-MM-dd`. */
export const milestoneSchema = new Schema(
  {
    _id: { type: String, required: true },
    engagementId: { type: String, required: true },
    actionId: { type: String, required: true },
    milestoneId: { type: String, required: true },
    title: { type: String, required: true },
    /** The date it is due now, in the engagement's time zone. */
    due: { type: String, required: true },
    /** The first planned date; follow-through and days late are measured against it. */
    originalDue: { type: String, required: true },
    /** The date the engagement file gave last, so a changed file re-plans it. */
    fileDue: { type: String, default: null },
    state: { type: String, enum: ['open', 'done'], required: true },
    doneOn: { type: String, default: null },
    doneBy: { type: String, default: null },
    replans: { type: [replan], default: [] },
    blocks: { type: [blocker], default: [] },
  },
  { timestamps: true, versionKey: false },
);
milestoneSchema.index({ engagementId: 1, milestoneId: 1 }, { unique: true });
milestoneSchema.index({ engagementId: 1, state: 1 });

/**
 * One plan message to one person, claimed before it is sent: `_id` names what it is for
 * (milestone step, digest week, alert window) and the person, so the unique `_id` is what
 * keeps two workers or a restart from sending it twice.
 */
export const planNoticeSchema = new Schema(
  {
    _id: { type: String, required: true },
    engagementId: { type: String, required: true },
    kind: { type: String, required: true },
    milestoneId: { type: String, default: null },
    personId: { type: String, required: true },
    state: { type: String, enum: ['claimed', 'sent', 'unreachable', 'failed'], required: true },
    claimedAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
    message: { type: Schema.Types.Mixed, default: null },
    error: { type: String, default: null },
  },
  { versionKey: false },
);
planNoticeSchema.index({ engagementId: 1, milestoneId: 1 });

/**
 * The roll-up of one engagement × ISO week × side × dimension (`_id` from cellId): NPS band
 * counts, count/sum/sum of squares of the 0–100 index, answers per person (for distinct
 * people) and the latest answer time counted (see src/services/rollups.ts).
 */
export const rollupSchema = new Schema(
  {
    _id: { type: String, required: true },
    engagementId: { type: String, required: true },
    week: { type: String, required: true },
    side: { type: String, enum: SIDES, required: true },
    dimension: { type: String, enum: DIMENSIONS, required: true },
    lastAt: { type: Date, default: null },
    promoters: Number,
    passives: Number,
    detractors: Number,
    count: Number,
    sum: Number,
    sumSquares: Number,
    people: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);
rollupSchema.index({ engagementId: 1, week: 1 });
