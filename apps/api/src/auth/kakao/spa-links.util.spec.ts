import { AppError } from '@app/core';
import { spaErrorUrl, spaPathOf, spaUrl } from './spa-links.util.js';

describe(spaPathOf.name, () => {
  it.each(['/', '/boards', '/boards/42?tab=tasks#top', '/카카오'])('accepts the app path %s', (path) => {
    expect(spaPathOf(path)).toBe(path);
  });

  it('defaults to the root', () => {
    expect(spaPathOf(undefined)).toBe('/');
  });

  it.each([
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    'boards',
    '/a//b',
    '/a b',
    '/a\nb',
    'javascript:alert(1)',
    ['/a', '/b'],
    `/${'x'.repeat(512)}`,
  ])('refuses %j', (path) => {
    expect(() => spaPathOf(path)).toThrow(AppError);
  });
});

describe(spaUrl.name, () => {
  it('joins the path to the SPA, whatever its base path', () => {
    expect(spaUrl('http://spa.modak.test/', '/boards/42?tab=1')).toBe('http://spa.modak.test/boards/42?tab=1');
    expect(spaUrl('https://modak.kr/app', '/boards')).toBe('https://modak.kr/app/boards');
    expect(spaUrl('https://modak.kr/app/', '/')).toBe('https://modak.kr/app/');
  });

  it('keeps odd paths on the SPA origin', () => {
    expect(new URL(spaUrl('https://modak.kr/', '/javascript:alert(1)')).origin).toBe('https://modak.kr');
    expect(new URL(spaUrl('https://modak.kr/app/', '/../../x')).origin).toBe('https://modak.kr');
  });
});

describe(spaErrorUrl.name, () => {
  it('adds the error code as a query parameter', () => {
    expect(spaErrorUrl('http://spa.modak.test/', 'kakao_cancelled')).toBe(
      'http://spa.modak.test/?error=kakao_cancelled',
    );
  });
});
