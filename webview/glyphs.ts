/** Point markers shared by the contour map and the 3-D surface: θ₀ (white disc) and θ_T (star). */

export function drawInitMarker(c2: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  c2.beginPath();
  c2.arc(x, y, r, 0, Math.PI * 2);
  c2.fillStyle = '#ffffff'; c2.fill();
  c2.lineWidth = 2; c2.strokeStyle = '#000000'; c2.stroke();
}

export function drawFinalMarker(c2: CanvasRenderingContext2D, x: number, y: number, r: number, fill = '#ffffff'): void {
  c2.beginPath();
  for (let k = 0; k < 10; k++) {
    const ang = -Math.PI / 2 + (k * Math.PI) / 5;
    const rr = k % 2 === 0 ? r * 1.35 : r * 0.6;
    const px = x + rr * Math.cos(ang), py = y + rr * Math.sin(ang);
    if (k === 0) c2.moveTo(px, py); else c2.lineTo(px, py);
  }
  c2.closePath();
  c2.fillStyle = fill; c2.fill();
  c2.lineWidth = 1.5; c2.strokeStyle = '#000000'; c2.stroke();
}
