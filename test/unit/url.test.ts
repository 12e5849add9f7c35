import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { normalizeSourceUrl, sourceKey } from '../../src/manifest/url';

describe('normalizeSourceUrl', () => {
  const accepted: { name: string; raw: string; url: string; host: string }[] = [
    {
      name: 'when the URL is already canonical, then it is returned unchanged',
      raw: 'http://guru-guha.blogspot.com/2007/07/dikshitar-kriti-abhayaamba-jagadambaa.html',
      url: 'http://guru-guha.blogspot.com/2007/07/dikshitar-kriti-abhayaamba-jagadambaa.html',
      host: 'guru-guha.blogspot.com',
    },
    {
      name: 'when scheme and host are upper-case, then both are lower-cased',
      raw: 'HTTPS://Guru-Guha.BLOGSPOT.com/2007/07/Kriti.html',
      url: 'https://guru-guha.blogspot.com/2007/07/Kriti.html',
      host: 'guru-guha.blogspot.com',
    },
    {
      name: 'when the default port is written, then it is dropped',
      raw: 'http://example.org:80/a',
      url: 'http://example.org/a',
      host: 'example.org',
    },
    {
      name: 'when the default https port is written, then it is dropped',
      raw: 'https://example.org:443/a',
      url: 'https://example.org/a',
      host: 'example.org',
    },
    {
      name: 'when a non-default port is written, then it is kept and host excludes it',
      raw: 'http://example.org:8080/a',
      url: 'http://example.org:8080/a',
      host: 'example.org',
    },
    {
      name: 'when there is a fragment, then it is dropped',
      raw: 'http://example.org/post.html#comments',
      url: 'http://example.org/post.html',
      host: 'example.org',
    },
    {
      name: 'when there is an empty fragment, then it is dropped',
      raw: 'http://example.org/post.html#',
      url: 'http://example.org/post.html',
      host: 'example.org',
    },
    {
      name: 'when path and query have mixed case, then they are kept as written',
      raw: 'http://example.org/Path/To?B=2&a=1',
      url: 'http://example.org/Path/To?B=2&a=1',
      host: 'example.org',
    },
    {
      name: 'when surrounded by whitespace, then it is trimmed',
      raw: '  \thttp://example.org/a \r\n',
      url: 'http://example.org/a',
      host: 'example.org',
    },
    {
      name: 'when there is no path, then the root path is added',
      raw: 'http://example.org',
      url: 'http://example.org/',
      host: 'example.org',
    },
    {
      name: 'when the path holds non-ASCII text, then it is percent-encoded',
      raw: 'http://example.org/kṛti',
      url: 'http://example.org/k%E1%B9%9Bti',
      host: 'example.org',
    },
    {
      name: 'when the host is internationalised, then it is returned in punycode',
      raw: 'http://bücher.example/',
      url: 'http://xn--bcher-kva.example/',
      host: 'xn--bcher-kva.example',
    },
    {
      name: 'item 8: when the query is empty (a trailing ?), then it is dropped',
      raw: 'HTTP://guru-guha.blogspot.com/2007/07/x.html?',
      url: 'http://guru-guha.blogspot.com/2007/07/x.html',
      host: 'guru-guha.blogspot.com',
    },
    {
      name: 'item 8: when the default port and an empty query are both written, then both are dropped',
      raw: 'http://guru-guha.blogspot.com:80/2007/07/x.html?#top',
      url: 'http://guru-guha.blogspot.com/2007/07/x.html',
      host: 'guru-guha.blogspot.com',
    },
  ];

  it.each(accepted)('$name', ({ raw, url, host }) => {
    expect(normalizeSourceUrl(raw)).toEqual({ ok: true, url, host });
  });

  const rejected: { name: string; raw: string; reason: RegExp }[] = [
    { name: 'when the URL is empty, then it is rejected', raw: '', reason: /empty/ },
    { name: 'when the URL is only whitespace, then it is rejected', raw: '  \t ', reason: /empty/ },
    { name: 'when the scheme is ftp, then it is rejected', raw: 'ftp://example.org/a', reason: /scheme "ftp"/ },
    { name: 'when the scheme is javascript, then it is rejected', raw: 'javascript:alert(1)', reason: /scheme "javascript"/ },
    { name: 'when the scheme is mailto, then it is rejected', raw: 'mailto:a@example.org', reason: /scheme "mailto"/ },
    { name: 'when there is no scheme, then it is rejected', raw: 'guru-guha.blogspot.com/2007/07/x.html', reason: /no scheme/ },
    { name: 'when the URL is protocol-relative, then it is rejected', raw: '//example.org/a', reason: /no scheme/ },
    { name: 'when the slashes are missing, then it is rejected', raw: 'http:example.org/a', reason: /followed by a host/ },
    { name: 'when there are three slashes, then it is rejected', raw: 'http:///example.org/a', reason: /followed by a host/ },
    { name: 'when backslashes stand for slashes, then it is rejected', raw: 'http:\\\\example.org\\a', reason: /followed by a host/ },
    { name: 'when it carries a user and password, then it is rejected', raw: 'http://user:secret@example.org/a', reason: /credentials/ },
    { name: 'when it carries only a user, then it is rejected', raw: 'https://user@example.org/a', reason: /credentials/ },
    { name: 'when it contains a space, then it is rejected', raw: 'http://example.org/a b', reason: /whitespace/ },
    { name: 'when it contains an embedded newline, then it is rejected', raw: 'http://exam\nple.org/', reason: /whitespace/ },
    { name: 'when it contains a NUL byte, then it is rejected', raw: 'http://example.org/\u0000', reason: /control/ },
    { name: 'when the host is malformed, then it is rejected as unparseable', raw: 'http://[::1/a', reason: /cannot be parsed/ },
    { name: 'when the port is out of range, then it is rejected as unparseable', raw: 'http://example.org:99999/', reason: /cannot be parsed/ },
    { name: 'when it starts with an RTL mark, then it is rejected', raw: '\u200fhttp://example.org/', reason: /no scheme/ },
    { name: 'when it is longer than 2048 characters, then it is rejected', raw: `http://example.org/${'a'.repeat(2100)}`, reason: /limit 2048/ },
  ];

  it.each(rejected)('$name', ({ raw, reason }) => {
    const result = normalizeSourceUrl(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('sourceKey', () => {
  it('when given a normalized URL, then it is src_ followed by the sha256 hex of that URL', () => {
    const url = 'http://guru-guha.blogspot.com/2007/07/dikshitar-kriti-abhayaamba-jagadambaa.html';
    const hex = createHash('sha256').update(url).digest('hex');
    expect(sourceKey(url)).toBe(`src_${hex}`);
    expect(sourceKey(url)).toMatch(/^src_[0-9a-f]{64}$/);
  });

  it('when two spellings normalize to the same URL, then their keys are equal', () => {
    const a = normalizeSourceUrl('HTTP://Example.org:80/a#x');
    const b = normalizeSourceUrl('http://example.org/a');
    if (!a.ok || !b.ok) throw new Error('expected both to normalize');
    expect(sourceKey(a.url)).toBe(sourceKey(b.url));
  });

  it('when the URLs differ, then the keys differ', () => {
    expect(sourceKey('http://example.org/a')).not.toBe(sourceKey('http://example.org/A'));
  });
});
