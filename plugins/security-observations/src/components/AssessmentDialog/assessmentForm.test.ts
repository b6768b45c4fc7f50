import {
  assessmentRequestOf,
  EMPTY_ASSESSMENT_FORM,
  localDate,
  tomorrow,
  validateAssessmentForm,
} from './assessmentForm';

const today = '2026-11-20';

describe('validateAssessmentForm', () => {
  it('requires a status and a comment', () => {
    expect(validateAssessmentForm(EMPTY_ASSESSMENT_FORM, today)).toEqual({
      status: 'Choose a status.',
      comment: 'A comment is required: say why.',
    });
    expect(
      validateAssessmentForm(
        { ...EMPTY_ASSESSMENT_FORM, status: 'false_positive', comment: '   ' },
        today,
      ),
    ).toEqual({ comment: 'A comment is required: say why.' });
  });

  it('limits comments to what the backend accepts', () => {
    expect(
      validateAssessmentForm(
        {
          ...EMPTY_ASSESSMENT_FORM,
          status: 'in_review',
          comment: 'x'.repeat(10_001),
        },
        today,
      ).comment,
    ).toBe('A comment has at most 10,000 characters.');
  });

  it('requires a justification for not_affected', () => {
    const form = {
      ...EMPTY_ASSESSMENT_FORM,
      status: 'not_affected' as const,
      comment: 'Only the CLI parses arguments, and it is not deployed',
    };
    expect(validateAssessmentForm(form, today)).toEqual({
      justification: 'A justification is required for "Not affected".',
    });
    expect(
      validateAssessmentForm(
        { ...form, justification: 'code_not_reachable' },
        today,
      ),
    ).toEqual({});
  });

  it('takes a risk acceptance without an expiry, and one that ends after today', () => {
    const form = {
      ...EMPTY_ASSESSMENT_FORM,
      status: 'risk_accepted' as const,
      comment: 'WAF rule 942100 blocks the payload until the Q1 upgrade',
    };
    expect(validateAssessmentForm(form, today)).toEqual({});
    expect(
      validateAssessmentForm({ ...form, expiresOn: '2026-11-21' }, today),
    ).toEqual({});
    expect(
      validateAssessmentForm({ ...form, expiresOn: today }, today).expiresOn,
    ).toBe('The expiry must be in the future.');
    expect(
      validateAssessmentForm({ ...form, expiresOn: '2026-03-31' }, today)
        .expiresOn,
    ).toBe('The expiry must be in the future.');
  });
});

describe('assessmentRequestOf', () => {
  it('sends only the fields of the chosen status', () => {
    expect(
      assessmentRequestOf({
        status: 'false_positive',
        comment: '  The fixture key is AWS documentation’s example key  ',
        justification: 'code_not_present',
        expiresOn: '2027-03-31',
        severity: 'keep',
      }),
    ).toEqual({
      status: 'false_positive',
      comment: 'The fixture key is AWS documentation’s example key',
    });
  });

  it('sends the justification, the end of the expiry day and the severity override', () => {
    expect(
      assessmentRequestOf({
        ...EMPTY_ASSESSMENT_FORM,
        status: 'not_affected',
        comment: 'not reachable',
        justification: 'code_not_reachable',
        severity: 'low',
      }),
    ).toEqual({
      status: 'not_affected',
      comment: 'not reachable',
      justification: 'code_not_reachable',
      severity: 'low',
    });
    expect(
      assessmentRequestOf({
        ...EMPTY_ASSESSMENT_FORM,
        status: 'risk_accepted',
        comment: 'accepted',
        expiresOn: '2027-03-31',
        severity: 'scanner',
      }),
    ).toEqual({
      status: 'risk_accepted',
      comment: 'accepted',
      expiresAt: '2027-03-31T23:59:59.999Z',
      severity: null,
    });
  });

  it('sends no expiry for a risk acceptance without one', () => {
    expect(
      assessmentRequestOf({
        ...EMPTY_ASSESSMENT_FORM,
        status: 'risk_accepted',
        comment: 'Only reachable from the admin network',
      }),
    ).toEqual({
      status: 'risk_accepted',
      comment: 'Only reachable from the admin network',
    });
  });
});

describe('tomorrow', () => {
  it('is the next calendar day, across months and years', () => {
    expect(tomorrow('2026-11-20')).toBe('2026-11-21');
    expect(tomorrow('2027-02-28')).toBe('2027-03-01');
    expect(tomorrow('2026-12-31')).toBe('2027-01-01');
  });
});

describe('localDate', () => {
  it('formats a date as a date input does', () => {
    expect(localDate(new Date(2027, 0, 5, 23, 30))).toBe('2027-01-05');
  });
});
