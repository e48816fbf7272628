/**
 * Deterministic synthetic NFT records for benchmarks (seeded PRNG): title, description, attributes
 * and a caption, in a dozen languages, with a small share of propaganda-like and reporting-like
 * phrasing so that the matcher and the scorer do real work. All text is synthetic.
 */
import { mulberry32 } from '../src/random.js';

/** Sentence pools per language (synthetic): descriptions are two of them with numbers varied. */
const SENTENCES: Record<string, string[]> = {
  en: ['A hand-drawn portrait of a fox wearing a golden crown.', 'This piece was painted over three nights in the studio.', 'Holders get early access to the next drop and a printed poster.', 'The collection celebrates the colours of the desert at sunset.', 'Each token is unique and generated from more than 120 traits.', 'Inspired by old maps and the sailors who drew them.', 'Part of a limited series of 500 cards for collectors.', 'Music by an independent artist, released under a free licence.'],
  ar: ['لوحة مرسومة باليد لثعلب يرتدي تاجاً ذهبياً.', 'رسمت هذه القطعة على مدى ثلاث ليال في المرسم.', 'يحصل حاملو الرمز على وصول مبكر للإصدار القادم.', 'تحتفي المجموعة بألوان الصحراء عند الغروب.', 'كل رمز فريد ومولد من أكثر من مئة صفة.', 'مستوحاة من الخرائط القديمة والبحارة الذين رسموها.', 'جزء من سلسلة محدودة من خمسمائة بطاقة للمقتنين.', 'خط عربي بالذهب على ورق أزرق داكن.'],
  fr: ['Un portrait dessiné à la main d’un renard portant une couronne dorée.', 'Cette œuvre a été peinte en trois nuits dans l’atelier.', 'Les détenteurs auront un accès anticipé à la prochaine collection.', 'La collection célèbre les couleurs du désert au coucher du soleil.', 'Chaque jeton est unique et généré à partir de plus de cent traits.', 'Inspiré par les vieilles cartes et les marins qui les dessinaient.'],
  de: ['Ein handgezeichnetes Porträt eines Fuchses mit goldener Krone.', 'Dieses Werk wurde in drei Nächten im Atelier gemalt.', 'Besitzer erhalten frühen Zugang zur nächsten Sammlung.', 'Die Sammlung feiert die Farben der Wüste bei Sonnenuntergang.', 'Jedes Token ist einzigartig und aus über hundert Merkmalen erzeugt.', 'Inspiriert von alten Karten und den Seeleuten, die sie zeichneten.'],
  es: ['Un retrato dibujado a mano de un zorro con una corona dorada.', 'Esta obra fue pintada durante tres noches en el estudio.', 'Los poseedores tendrán acceso anticipado a la próxima colección.', 'La colección celebra los colores del desierto al atardecer.', 'Cada token es único y se genera a partir de más de cien rasgos.', 'Inspirado en los mapas antiguos y los marineros que los dibujaban.'],
  ru: ['Нарисованный от руки портрет лисы в золотой короне.', 'Эта работа была написана за три ночи в мастерской.', 'Владельцы получат ранний доступ к следующей коллекции.', 'Коллекция воспевает цвета пустыни на закате.', 'Каждый токен уникален и создан из более чем ста признаков.'],
  tr: ['Altın taç takan bir tilkinin elle çizilmiş portresi.', 'Bu eser atölyede üç gece boyunca boyandı.', 'Sahipleri bir sonraki koleksiyona erken erişim kazanır.', 'Koleksiyon gün batımında çölün renklerini kutluyor.', 'Her token benzersizdir ve yüzden fazla özellikten üretilmiştir.'],
  id: ['Potret rubah memakai mahkota emas yang digambar dengan tangan.', 'Karya ini dilukis selama tiga malam di studio.', 'Pemegang token mendapat akses awal ke koleksi berikutnya.', 'Koleksi ini merayakan warna gurun saat matahari terbenam.', 'Setiap token unik dan dibuat dari lebih dari seratus sifat.'],
  fa: ['پرتره‌ای دست‌کشیده از روباهی با تاج طلایی.', 'این اثر در سه شب در کارگاه نقاشی شد.', 'دارندگان توکن به مجموعه بعدی زودتر دسترسی دارند.', 'این مجموعه رنگ‌های بیابان را در غروب آفتاب جشن می‌گیرد.', 'هر توکن یکتاست و از بیش از صد ویژگی ساخته شده است.'],
  ur: ['سنہری تاج پہنے لومڑی کی ہاتھ سے بنی تصویر۔', 'یہ فن پارہ اسٹوڈیو میں تین راتوں میں بنایا گیا۔', 'ٹوکن رکھنے والوں کو اگلے مجموعے تک جلد رسائی ملے گی۔', 'یہ مجموعہ غروب آفتاب کے وقت صحرا کے رنگوں کا جشن ہے۔'],
};
const TITLES: Record<string, string[]> = {
  en: ['Golden Fox', 'Desert Dusk', 'Old Map', 'Night Sailor', 'Crowned'], ar: ['الثعلب الذهبي', 'غروب الصحراء', 'خريطة قديمة', 'خط عربي'],
  fr: ['Renard doré', 'Crépuscule', 'Vieille carte'], de: ['Goldener Fuchs', 'Wüstendämmerung', 'Alte Karte'], es: ['Zorro dorado', 'Atardecer', 'Mapa antiguo'],
  ru: ['Золотая лиса', 'Закат в пустыне'], tr: ['Altın Tilki', 'Çöl Akşamı'], id: ['Rubah Emas', 'Senja Gurun'], fa: ['روباه طلایی', 'غروب بیابان'], ur: ['سنہری لومڑی', 'صحرا کی شام'],
};
const SPICE = [
  'Support the brothers, donate now.',
  'Amaq Agency release, soldiers of the caliphate.',
  'قالت وزارة الداخلية إن تنظيم داعش الإرهابي نشر صوراً.',
  'Police said the so-called Islamic State claimed the attack.',
  'الدولة الإسلامية باقية وتتمدد',
  'Jihad al-nafs: the inner struggle.',
  'Goddess Isis with Osiris, Egyptian mythology.',
];
const TRAITS: Array<[string, string[]]> = [
  ['Background', ['Black', 'Blue', 'Gold', 'Desert', 'Night', 'Sunset']],
  ['Eyes', ['Laser', 'Sleepy', 'Wide', 'Closed']],
  ['Rarity', ['Common', 'Rare', 'Epic', 'Legendary']],
];

export function generateRecords(n: number, seed = 42): Array<Record<string, unknown>> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const langs = Object.keys(SENTENCES);
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const lang = pick(langs);
    // numbers make most descriptions distinct, as edition numbers and dates do in real collections
    let description = `${pick(SENTENCES[lang])} ${pick(SENTENCES[lang])} #${Math.floor(rnd() * 100000)}`;
    if (rnd() < 0.1) description += ` ${pick(SPICE)}`;
    out.push({
      id: `bench-${i}`,
      name: `${pick(TITLES[lang])} #${i}`,
      description,
      attributes: TRAITS.map(([t, vs]) => ({ trait_type: t, value: pick(vs) })),
      image_caption: `a ${pick(['fox', 'ship', 'map', 'desert', 'crown', 'lantern'])} ${pick(['at night', 'in gold', 'on blue paper', 'at sunset'])} ${Math.floor(rnd() * 1000)}`,
      synthetic: true,
    });
  }
  return out;
}
