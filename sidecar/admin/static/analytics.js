// Draws the analytics page's charts from the JSON the server embedded (#analytics-data), with the vendored
// Chart.js. No inline script and no network: the console's Content-Security-Policy allows only 'self'.
(function () {
  'use strict';
  var source = document.getElementById('analytics-data');
  if (!source || typeof window.Chart === 'undefined') return;
  var data = JSON.parse(source.textContent);
  // Colours with at least 3:1 contrast on white, told apart by shape and dash too.
  var BLUE = '#0b5cad', ORANGE = '#b35900', GREEN = '#1e6b34', PURPLE = '#6b3fa0', RED = '#a4161a', GREY = '#4a5360';
  var PALETTE = [BLUE, ORANGE, GREEN, PURPLE, RED, GREY];
  var common = {animation: false, responsive: true, maintainAspectRatio: false,
                plugins: {legend: {labels: {color: '#1b1f24'}}}};

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new window.Chart(canvas, config);
    canvas.setAttribute('data-drawn', 'true');
  }

  function line(label, values, colour, dashed) {
    return {label: label, data: values, borderColor: colour, backgroundColor: colour, borderWidth: 2,
            pointRadius: 3, borderDash: dashed ? [6, 4] : [], spanGaps: true, tension: 0.2};
  }

  var series = data.series;
  draw('chart-volume', {type: 'line', options: Object.assign({}, common, {scales: {y: {beginAtZero: true,
    ticks: {precision: 0}}}}), data: {labels: series.periods, datasets: [
      line('Assessments', series.assessments, BLUE, false),
      line('Escalations', series.escalations, ORANGE, true)]}});
  draw('chart-times', {type: 'line', options: Object.assign({}, common, {scales: {y: {beginAtZero: true,
    title: {display: true, text: 'minutes'}}}}), data: {labels: series.periods, datasets: [
      line('Acknowledge (p50)', series.ack_p50_minutes, GREEN, false),
      line('Resolve (p50)', series.resolve_p50_minutes, PURPLE, true)]}});
  data.breakdowns.forEach(function (breakdown) {
    var names = breakdown.counts.map(function (pair) { return pair[0]; });
    draw('chart-' + breakdown.id, {type: 'bar', options: Object.assign({}, common, {
      plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}),
      data: {labels: names, datasets: [{label: breakdown.title, data: breakdown.counts.map(function (pair) {
        return pair[1]; }), backgroundColor: names.map(function (_, index) {
        return PALETTE[index % PALETTE.length]; })}]}});
  });
})();
