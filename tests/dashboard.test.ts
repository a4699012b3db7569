import t from 'tap';
import { barChart, chartSvg, distributionChart, trendChart } from '../server/features/reports/charts.ts';
import { dashboardView } from '../server/features/reports/report-dashboard.ts';
import { periodLabel, presetRange, trendWindow } from '../server/features/reports/report-periods.ts';
import { testApp } from './helpers/harness.ts';
import { seedReportData } from './helpers/report-data.ts';
import { sampleBundle } from './helpers/sample-report.ts';
import { staffClient } from './helpers/staff.ts';

// The officials' dashboard: server-drawn SVG charts that escape what they
// print and state their figures in words; period presets in Vietnam time;
// and the page itself, whose figures must equal a hand calculation on data
// built here, for the official's own subtree only (another commune's
// official asking for it: the cross-unit matrix, tests/cross-unit.test.ts).

t.test('a bar chart escapes its labels and carries its figures, interval and target', async (t) => {
  const chart = barChart('Theo lĩnh vực <b>', [
    {
      label: '<script>alert("x")</script> & Đất đai',
      rate: 0.9,
      ci95: [0.596, 0.982],
      target: 0.85,
      targetText: '≥ 85%',
      n: 10,
    },
    { label: 'Chứng thực', rate: null, n: 3, suppressed: true },
  ]);
  const svg = chartSvg(chart, 'c1');
  t.notMatch(svg, /<script|<b>/, 'no markup from the data gets through');
  t.match(
    svg,
    /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; Đất đai/,
    'the label is escaped, diacritics kept',
  );
  t.match(svg, /<title id="c1-t">Theo lĩnh vực &lt;b&gt;<\/title>/);
  t.match(svg, /<desc id="c1-d">[^<]*90,0%, khoảng tin cậy 95% 59,6% – 98,2%, chỉ tiêu ≥ 85%, 10 phiếu/);
  t.match(svg, /aria-labelledby="c1-t c1-d"/);
  t.match(svg, />90,0% · 10 phiếu</, 'the value is printed beside the bar');
  t.match(chart.lines[1], /Chứng thực: ẩn số liệu vì dưới 5 phiếu/, 'a withheld cell says so instead of a figure');
  // The bar spans 0..90% of the plot (x 200..520), the whiskers 59.6%..98.2%, the target tick sits at 85%.
  t.ok(
    chart.shapes.some((s) => s.kind === 'rect' && Math.abs(s.w - 288) < 0.01),
    'bar length is the rate',
  );
  const lines = chart.shapes.filter((s) => s.kind === 'line');
  t.ok(
    lines.some((s) => Math.abs(s.x1 - 390.72) < 0.01 && Math.abs(s.x2 - 514.24) < 0.01),
    'whisker from lo to hi',
  );
  t.ok(
    lines.some((s) => s.stroke === '#a50e0e' && Math.abs(s.x1 - 472) < 0.01),
    'target tick at 85%',
  );
});

t.test('the trend and the distribution charts state each period and each answer level', async (t) => {
  const trend = trendChart(
    'Xu hướng',
    [
      { label: 'Quý I/2026', rate: 0.9, ci95: [0.861, 0.929], n: 300 },
      { label: 'Quý II/2026', rate: null, ci95: null, n: 0 },
    ],
    { value: 0.9, text: '≥ 90%' },
  );
  const svg = chartSvg(trend, 'tr');
  t.match(svg, />Quý I\/2026</);
  t.match(svg, /Chỉ tiêu ≥ 90%/);
  t.match(trend.lines.join('\n'), /Quý I\/2026: 90,0%, khoảng tin cậy 95% 86,1% – 92,9%, 300 phiếu/);
  t.match(trend.lines.join('\n'), /Quý II\/2026: chưa có số liệu/);
  const dist = distributionChart('Phân bố', [6, 9, 15, 120, 150]);
  t.match(dist.lines[4], /5 – Rất hài lòng: 150 phiếu \(50,0%\)/);
  t.match(dist.lines[0], /1 – Rất không hài lòng: 6 phiếu \(2,0%\)/);
  t.match(chartSvg(dist, 'd'), />40%</, 'the share is printed inside its segment');
});

t.test('period presets are cut in Vietnam time', async (t) => {
  // 2026-03-31 18:30 UTC is 1 April 01:30 in Hanoi: April, Q2.
  const now = new Date('2026-03-31T18:30:00Z');
  t.same(presetRange('month', now), { from: '2026-04-01', to: '2026-04-30' });
  t.same(presetRange('quarter', now), { from: '2026-04-01', to: '2026-06-30' });
  t.same(presetRange('prev_quarter', now), { from: '2026-01-01', to: '2026-03-31' });
  t.same(presetRange('year', now), { from: '2026-01-01', to: '2026-12-31' });
  t.same(presetRange('prev_quarter', new Date('2026-02-10T00:00:00Z')), { from: '2025-10-01', to: '2025-12-31' });
  t.equal(presetRange('month', new Date('2028-02-10T00:00:00Z')).to, '2028-02-29', 'leap year');
  t.equal(periodLabel('2026-01-01', '2026-03-31'), 'Quý I/2026');
  t.equal(periodLabel('2026-04-01', '2026-04-30'), 'Tháng 4/2026');
  t.equal(periodLabel('2026-01-01', '2026-12-31'), 'Năm 2026');
  t.equal(periodLabel('2026-01-05', '2026-03-31'), '05/01/2026 – 31/03/2026');
  t.same(trendWindow('month', '2026-04-01', '2026-04-30'), { from: '2025-05-01', to: '2026-04-30', interval: 'month' });
  t.same(trendWindow('quarter', '2026-04-01', '2026-06-30'), {
    from: '2025-07-01',
    to: '2026-06-30',
    interval: 'quarter',
  });
});

t.test('the dashboard view marks withheld cells and the factor that pulls the rate down', async (t) => {
  const v = dashboardView(sampleBundle());
  t.equal(v.headline.rate, '90,0%');
  t.equal(v.headline.verdictName, 'Chưa rõ', '270/300 against ≥ 90%: P = 0.49');
  t.equal(v.headline.probabilityMet, '49%');
  t.equal(v.lowestFactor?.name, 'Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị');
  const withheld = v.tables.serviceAreas!.rows[2]!;
  t.equal(withheld[0]!.text, 'Chứng thực');
  t.equal(withheld[3]!.text, '—');
  t.ok(withheld[3]!.hidden, 'the rate of a cell under 5 responses is withheld');
  t.equal(withheld[7]!.text, '—', 'and so is its verdict');
  t.equal(withheld[8]!.text, '—', 'and its probability');
});

t.test("an official's dashboard shows the figures of a hand calculation", async (t) => {
  const { app, db } = await testApp(t);
  const data = await seedReportData(db);
  const official = await staffClient(app, db, { role: 'official', unitCode: data.communeCode });
  const query = `unitId=${data.communeId}&period=custom&from=2026-01-01&to=2026-03-31`;
  const res = await official.get(`/staff/reports?${query}`);
  t.equal(res.statusCode, 200);
  t.match(res.headers.vary, /HX-Request/);
  const body = res.body;
  // Overall: 30 satisfied of 33 valid (the flagged response left out).
  // Wilson 95%: centre (p + z²/2n)/(1 + z²/n), half z·√(p(1−p)/n + z²/4n²)/(1 + z²/n) → 76,4%–96,9%.
  t.match(body, /<p class="big">90,9%<\/p>/, 'headline rate 30/33');
  t.match(body, /76,4% – 96,9%/, 'headline Wilson interval');
  t.match(body, /33 phiếu/);
  t.match(body, /Chưa rõ/, 'the interval straddles the 90% target');
  t.match(body, /Khả năng đạt chỉ tiêu ≥ 90%: 54%\. Nếu tỷ lệ giữ nguyên, cần thêm khoảng 4\.151 phiếu/);
  // Đất đai 18/20 (69,9–97,2%) against ≥ 50%: met; Hộ tịch 9/10 (59,6–98,2%) against ≥ 99%: not met.
  t.match(
    body,
    /Đất đai<\/th>\s*<td class="num">20<\/td>\s*<td class="num">18<\/td>\s*<td class="num">90,0%<\/td>\s*<td class="num">69,9% – 97,2%<\/td>/,
  );
  t.match(
    body,
    /Hộ tịch<\/th>\s*<td class="num">10<\/td>\s*<td class="num">9<\/td>\s*<td class="num">90,0%<\/td>\s*<td class="num">59,6% – 98,2%<\/td>/,
  );
  t.match(body, /v-met">Đạt</);
  t.match(body, /v-not_met">Chưa đạt</);
  t.match(
    body,
    /Chứng thực<\/th>\s*<td class="num">3<\/td>\s*<td class="num" title="Ẩn số liệu/,
    'a cell of 3 is withheld',
  );
  t.match(body, /Cỡ mẫu nhỏ/);
  t.match(body, /1 phiếu bị đánh dấu nghi vấn/, 'the flagged response is counted aside');
  t.match(body, /Phiếu giấy \(nhập lại\)<\/th>\s*<td class="num">3<\/td>/, 'responses by channel');
  t.match(body, /<svg[^>]*role="img"/, 'charts are inline SVG');
  t.match(body, /href="\/staff\/reports\/report\.pdf\?unitId=/);
  t.notMatch(body, /Xã Khác Hẳn/, 'nothing of another commune');

  const partial = await official.get(`/staff/reports?${query}`, { 'HX-Request': 'true' });
  t.equal(partial.statusCode, 200);
  t.notMatch(partial.body, /<html/, 'htmx gets the report alone');
  t.match(partial.body, /90,9%/);
  const boosted = await official.get(`/staff/reports?${query}`, { 'HX-Request': 'true', 'HX-Boosted': 'true' });
  t.match(boosted.body, /<html/, 'a boosted navigation gets the whole page');

  const bad = await official.get(`/staff/reports?unitId=${data.communeId}&period=custom&from=31/03/2026&to=01/01/2026`);
  t.equal(bad.statusCode, 422, 'a period that ends before it starts is refused');
  t.match(bad.body, /Ngày kết thúc phải sau hoặc bằng ngày bắt đầu/);
});

t.test('the feedback figures count the period chosen, not every item ever opened', async (t) => {
  const { app, db } = await testApp(t);
  const data = await seedReportData(db);
  const official = await staffClient(app, db, { role: 'official', unitCode: data.communeCode });
  const opened = async (from: string, to: string) => {
    const res = await official.get(`/staff/reports?unitId=${data.communeId}&period=custom&from=${from}&to=${to}`);
    const m = /Phản ánh, kiến nghị phát sinh trong kỳ<\/th>\s*<td class="num">([^<]+)<\/td>/.exec(res.body);
    return m?.[1];
  };
  // February: the two low Đất đai answers with comments and the Hộ tịch answer of 1 (the suspect one left out).
  t.equal(await opened('2026-01-01', '2026-03-31'), '3', 'the quarter holding them');
  t.equal(await opened('2026-04-01', '2026-06-30'), '0', 'the next quarter opened none');
});
