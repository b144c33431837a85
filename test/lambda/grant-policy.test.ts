/** Grant policy as a plain function: claims in, grants out. */
import { DEFAULT_GRANT_POLICY } from '../../lambda/mint-token/config';
import { allowedGrants, firstForbiddenGrant, parseGroups } from '../../lambda/mint-token/grant-policy';

describe('parseGroups reads every shape cognito:groups takes', () => {
  test.each([
    ['a single group', 'cartesia-agent', ['cartesia-agent']],
    ['a comma list', 'staff,cartesia-agent', ['staff', 'cartesia-agent']],
    ["API Gateway's bracketed rendering", '[staff cartesia-agent]', ['staff', 'cartesia-agent']],
    ['a JSON array string', '["staff","cartesia-agent"]', ['staff', 'cartesia-agent']],
    ['an array', ['staff', 'cartesia-agent'], ['staff', 'cartesia-agent']],
    ['an empty bracket', '[]', []],
    ['a missing claim', undefined, []],
    ['a number', 42, []],
    ['an array with non-strings', ['staff', 7, null, ''], ['staff']],
  ])('%s', (_shape, claim, groups) => {
    expect(parseGroups(claim)).toEqual(groups);
  });
});

describe('allowedGrants under the default policy', () => {
  test('every signed-in user may get tts and stt', () => {
    expect([...allowedGrants([], DEFAULT_GRANT_POLICY)]).toEqual(['tts', 'stt']);
  });

  test('agent needs the cartesia-agent group, by exact name', () => {
    expect(allowedGrants(['cartesia-agent'], DEFAULT_GRANT_POLICY).has('agent')).toBe(true);
    for (const lookalike of ['Cartesia-Agent', 'cartesia-agents', 'cartesia', ' cartesia-agent']) {
      expect(allowedGrants([lookalike], DEFAULT_GRANT_POLICY).has('agent')).toBe(false);
    }
  });

  test('an empty group list in the policy grants nobody', () => {
    const policy = { tts: ['*'], stt: [], agent: [] };
    expect([...allowedGrants(['anything', '*'], policy)]).toEqual(['tts']);
  });
});

test('firstForbiddenGrant names the first grant outside the allowed set, or none', () => {
  const allowed = new Set(['tts', 'stt'] as const);
  expect(firstForbiddenGrant(['tts', 'agent'], allowed)).toBe('agent');
  expect(firstForbiddenGrant(['tts', 'stt'], allowed)).toBeUndefined();
});
