import { z } from 'zod';

const answerValue = z.object({
  d: z.string().min(1).max(300),
  q: z.string().min(1).max(64),
  s: z.number().int().min(0).max(10),
});

export interface AnswerValue {
  deliveryId: string;
  questionId: string;
  score: number;
}

/** The value carried by an answer button, compact enough for Slack's 2,000-character limit. */
export function encodeAnswer(v: AnswerValue): string {
  return JSON.stringify({ d: v.deliveryId, q: v.questionId, s: v.score });
}

/** Reads an answer button's value; null when it is not one Rapport made. */
export function decodeAnswer(raw: unknown): AnswerValue | null {
  try {
    const parsed = answerValue.safeParse(typeof raw === 'string' ? JSON.parse(raw) : raw);
    if (!parsed.success) return null;
    return { deliveryId: parsed.data.d, questionId: parsed.data.q, score: parsed.data.s };
  } catch {
    return null;
  }
}
