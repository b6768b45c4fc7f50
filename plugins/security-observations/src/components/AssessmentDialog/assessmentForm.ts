import {
  ASSESSABLE_STATUSES,
  AssessmentRequest,
  Severity,
  VEX_JUSTIFICATIONS,
} from 'backstage-plugin-security-observations-common';

export type AssessableStatus = (typeof ASSESSABLE_STATUSES)[number];
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

/** `keep` leaves the severity alone; `scanner` clears an override. */
export type SeverityChoice = Severity | 'keep' | 'scanner';

/** What the dialog's fields hold; empty strings for "not chosen". */
export interface AssessmentForm {
  status: AssessableStatus | '';
  comment: string;
  justification: VexJustification | '';
  /** `YYYY-MM-DD`, from a date input. */
  expiresOn: string;
  severity: SeverityChoice;
}

export type AssessmentFormErrors = Partial<
  Record<keyof AssessmentForm, string>
>;

export const EMPTY_ASSESSMENT_FORM: AssessmentForm = {
  status: '',
  comment: '',
  justification: '',
  expiresOn: '',
  severity: 'keep',
};

const COMMENT_MAX_LENGTH = 10_000;

/** Today in the user's time zone, as a date input writes dates. */
export function localDate(date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(
    date.getDate(),
  )}`;
}

/** The day after a `YYYY-MM-DD` date: the earliest expiry a date input offers. */
export function tomorrow(today: string): string {
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/**
 * The backend's assessment rules (see `assessmentRequestSchema` in -common),
 * checked before sending so mistakes show at the field. A risk acceptance
 * may have an expiry, as the API allows; one that has must end after today.
 */
export function validateAssessmentForm(
  form: AssessmentForm,
  today: string,
): AssessmentFormErrors {
  const errors: AssessmentFormErrors = {};
  if (!form.status) {
    errors.status = 'Choose a status.';
  }
  if (!form.comment.trim()) {
    errors.comment = 'A comment is required: say why.';
  } else if (form.comment.length > COMMENT_MAX_LENGTH) {
    errors.comment = `A comment has at most ${COMMENT_MAX_LENGTH.toLocaleString(
      'en-US',
    )} characters.`;
  }
  if (form.status === 'not_affected' && !form.justification) {
    errors.justification = 'A justification is required for "Not affected".';
  }
  if (
    form.status === 'risk_accepted' &&
    form.expiresOn &&
    form.expiresOn <= today
  ) {
    errors.expiresOn = 'The expiry must be in the future.';
  }
  return errors;
}

/**
 * The request for a valid form. Fields that belong to other statuses are
 * left out, as the backend refuses them. An acceptance with an expiry runs
 * to the end of its expiry day (UTC); one without has no `expiresAt`.
 */
export function assessmentRequestOf(form: AssessmentForm): AssessmentRequest {
  if (!form.status) {
    throw new Error('The form has no status; validate it first');
  }
  return {
    status: form.status,
    comment: form.comment.trim(),
    ...(form.status === 'not_affected' && form.justification
      ? { justification: form.justification }
      : {}),
    ...(form.status === 'risk_accepted' && form.expiresOn
      ? { expiresAt: `${form.expiresOn}T23:59:59.999Z` }
      : {}),
    ...(form.severity === 'keep'
      ? {}
      : { severity: form.severity === 'scanner' ? null : form.severity }),
  };
}
