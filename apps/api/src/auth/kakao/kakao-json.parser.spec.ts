import { parseKakaoJson } from './kakao-json.parser.js';

describe(parseKakaoJson.name, () => {
  it('keeps a 19-digit id above 2^53 exact', () => {
    const text = '{"id":1376016924429759243,"connected_at":"2025-03-14T09:26:53Z"}';
    expect(JSON.parse(text)).toMatchObject({ id: 1376016924429759200 });
    expect(parseKakaoJson(text)).toEqual({ id: '1376016924429759243', connected_at: '2025-03-14T09:26:53Z' });
  });

  it('reads the ids of access_token_info exactly and leaves other numbers alone', () => {
    expect(parseKakaoJson('{ "id" : 9223372036854775807 , "expires_in": 7199, "app_id": 1234 }')).toEqual({
      id: '9223372036854775807',
      expires_in: 7199,
      app_id: '1234',
    });
  });

  it('never rewrites text inside strings, escaped quotes included', () => {
    const text = String.raw`{"nickname":"\"id\":12345678901234567890","note":"a\\","id":7}`;
    expect(parseKakaoJson(text)).toEqual({ nickname: '"id":12345678901234567890', note: 'a\\', id: '7' });
  });

  it('leaves a non-integer id as JSON has it, for the caller to refuse', () => {
    expect(parseKakaoJson('{"id":1.5}')).toEqual({ id: 1.5 });
    expect(parseKakaoJson('{"id":"x"}')).toEqual({ id: 'x' });
  });

  it('throws on text that is not JSON', () => {
    expect(() => parseKakaoJson('<html>KOE003</html>')).toThrow(SyntaxError);
  });
});
