"""Synthetic images for tests/cases.d/mesh_population.sh (spot mesh --all), written as PGM.

  python3 population_images.py DIR

DIR/discs.pgm   200 x 300, grey 0.2 background, noise 0.02: five anti-aliased discs of grey 0.8,
                (x, y, r) in pixels = (60, 50, 20), (200, 50, 25) isolated; (80, 140, 22) and
                (117, 140, 18) overlapping (centres 37 apart: one region, split at its neck);
                (290, 150, 20) cut by the right border; and a 3 x 3 speck at rows 20-22, cols 150-152
                (too small).
DIR/labels.pgm  120 x 160 label image: 0 background; 1 a disc (40, 40, 25); 2 and 3 two squares
                side by side sharing an edge (rows 70-109, cols 60-99 and 100-139); 4 a disc cut by
                the top border (130, 0, 15).
DIR/neck.pgm    120 x 130 label image: 1 a disc (55, 60, 35) with a bite taken out by 2, a disc
                (90, 60, 12) centred near its edge: the two touch along an arc of radius 12 that
                is concave for 1, where chords of coarse boundary cells (1 um at 0.05 um per
                pixel) cut across 2's outline unless refined there.
DIR/noise.pgm   120 x 160 Gaussian noise (mean 0.5, sd 0.1): no particle.
DIR/zero.pgm    40 x 40 of 0: a label image without a particle.
"""
import sys
import numpy as np

def write(path, a, maxval=255):
    rows, cols = a.shape
    with open(path, 'wb') as f:
        f.write(b'P5\n%d %d\n%d\n' % (cols, rows, maxval))
        f.write(a.astype(np.uint8).tobytes())

def disc_cover(rows, cols, cx, cy, r):
    """fraction of each pixel inside the disc (4 x 4 supersampling)"""
    y, x = np.mgrid[0:rows, 0:cols].astype(float)
    cover = np.zeros((rows, cols))
    for dy in (0.125, 0.375, 0.625, 0.875):
        for dx in (0.125, 0.375, 0.625, 0.875):
            cover += (x + dx - cx) ** 2 + (y + dy - cy) ** 2 <= r * r
    return cover / 16

out = sys.argv[1]
rng = np.random.default_rng(1)

img = np.full((200, 300), 0.2)
for cx, cy, r in [(60, 50, 20), (200, 50, 25), (80, 140, 22), (117, 140, 18), (290, 150, 20)]:
    img = np.maximum(img, 0.2 + 0.6 * disc_cover(200, 300, cx, cy, r))
img[20:23, 150:153] = 0.8
img = np.clip(img + rng.normal(0, 0.02, img.shape), 0, 1)
write(f'{out}/discs.pgm', img * 255 + 0.5)

lab = np.zeros((120, 160))
lab[disc_cover(120, 160, 40, 40, 25) >= 0.5] = 1
lab[70:110, 60:100] = 2
lab[70:110, 100:140] = 3
lab[disc_cover(120, 160, 130, 0, 15) >= 0.5] = 4
write(f'{out}/labels.pgm', lab)

lab = np.zeros((120, 130))
lab[disc_cover(120, 130, 55, 60, 35) >= 0.5] = 1
lab[disc_cover(120, 130, 90, 60, 12) >= 0.5] = 2
write(f'{out}/neck.pgm', lab)

write(f'{out}/noise.pgm', np.clip(rng.normal(0.5, 0.1, (120, 160)), 0, 1) * 255 + 0.5)
write(f'{out}/zero.pgm', np.zeros((40, 40)))
