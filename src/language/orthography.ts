/**
 * Spelling habits that mark Somali, Hausa and Swahili, three languages the fast detectors barely
 * know: Somali writes long vowels double and uses c, x, q, dh for its pharyngeals; Hausa has hooked
 * letters and 'y; Swahili has noun-class prefixes and ny/mb/nd/ng' clusters.
 */
export function latinOrthographyCues(clean: string): Record<string, number> {
  const t = clean.toLowerCase();
  const words = t.split(' ').filter(Boolean);
  const n = words.length || 1;
  let so = 0;
  let ha = 0;
  let sw = 0;
  for (const w of words) {
    if (/(aa|oo|ee|uu|ii)/.test(w) && /(x|dh|q|c[aeiou]|kh)/.test(w)) so += 1;
    else if (/^(dh|x|c)[aeiou]/.test(w) || /(aad|ood|eed|aha|iyo|kii|kaa|taa|yaa|ada|ka)$/.test(w) && /(aa|oo|ee)/.test(w)) so += 0.5;
    if (/[ɓɗƙƴ]|'y|ʼy/.test(w)) ha += 2;
    else if (/^(ts|sh)[aeiou]|[aeiou]n(ci|ta)$|ƙ|(wa|ka|ya)r$/.test(w) && !/(aa|oo|ee)/.test(w)) ha += 0.25;
    if (/^(ku|wa|mw|ki|vi|ny|mb|nd|ch|zi|ma)[a-z]{2,}(a|i|u|o)$/.test(w) && !/[xqc]/.test(w)) sw += 0.3;
  }
  return { so: so / n, ha: ha / n, sw: sw / n };
}
