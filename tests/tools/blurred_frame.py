"""A particle as an optical microscope films it, written as a 16-bit PGM, for
tests/cases.d/mesh_psf.sh (spot mesh --psf-sigma) and the measurements in docs/mesh.md.

  python3 blurred_frame.py OUT.pgm A_UM B_UM ANGLE_DEG SIGMA_UM PIXEL_UM [NOISE [invert [SEED]]]

The particle: an ellipse of semi-axes A, B (um; a disc when A = B) turned by ANGLE, intensity 0.35 on
a background of 0.15 (spot synth's defaults), its coverage computed exactly on a grid 8 x 8 finer
than the camera's pixels (each fine cell sampled 4 x 4), blurred there by a Gaussian PSF of std
SIGMA (FFT), integrated over camera pixels of PIXEL um, plus Gaussian noise of std NOISE x 0.35
(default 0.02), inverted (1 - I) with "invert". The frame holds the particle, 5 sigma and 10 pixels
around it; its centre sits off the pixel grid. Prints the true area (um^2).
"""
import sys
import numpy as np


def frame(path, a_um, b_um, angle_deg, sigma_um, pixel_um, noise=0.02, invert=False, seed=1,
          I0=0.35, Ibg=0.15, s=8, sub=4):
    n = int(np.ceil((2 * max(a_um, b_um) + 10 * sigma_um + 20 * pixel_um) / pixel_um))
    cx, cy = (n / 2 + 0.31) * pixel_um, (n / 2 - 0.17) * pixel_um
    h = pixel_um / s
    x = (np.arange(n * s * sub) + 0.5) * h / sub
    X, Y = np.meshgrid(x, x)
    c, sn = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    u, v = (X - cx) * c + (Y - cy) * sn, -(X - cx) * sn + (Y - cy) * c
    coverage = ((u / a_um) ** 2 + (v / b_um) ** 2 <= 1).reshape(n * s, sub, n * s, sub).mean(axis=(1, 3))
    m, pad = n * s, int(6 * sigma_um / h) + 2
    big = np.zeros((m + 2 * pad, m + 2 * pad))
    big[pad:pad + m, pad:pad + m] = coverage
    k = np.fft.fftfreq(m + 2 * pad, d=h)
    KX, KY = np.meshgrid(k, k)
    blurred = np.real(np.fft.ifft2(np.fft.fft2(big) * np.exp(-2 * (np.pi * sigma_um) ** 2 * (KX ** 2 + KY ** 2))))
    P = blurred[pad:pad + m, pad:pad + m].reshape(n, s, n, s).mean(axis=(1, 3))
    I = I0 * P + Ibg * (1 - P) + np.random.default_rng(seed).normal(0, noise * I0, P.shape)
    if invert:
        I = 1 - I
    q = np.round(np.clip(I, 0, 1) * 65535).astype('>u2')
    with open(path, 'wb') as f:
        f.write(b'P5\n%d %d\n65535\n' % (n, n))
        f.write(q.tobytes())
    return np.pi * a_um * b_um


if __name__ == '__main__':
    if len(sys.argv) < 7:
        sys.exit(__doc__)
    path, (a, b, angle, sigma, pixel) = sys.argv[1], map(float, sys.argv[2:7])
    noise = float(sys.argv[7]) if len(sys.argv) > 7 else 0.02
    invert = len(sys.argv) > 8 and sys.argv[8] == 'invert'
    seed = int(sys.argv[9]) if len(sys.argv) > 9 else 1
    print('%.6f' % frame(path, a, b, angle, sigma, pixel, noise, invert, seed))
