"""OpenCV anchor for FramePathBench: the same input JPEGs, one thread, median ms/frame over rounds.

Run with Debian's python3-opencv: /usr/bin/python3 anchor.py /tmp/framepath [seconds] [rounds]
"""
import sys, time, statistics
import numpy as np
import cv2

cv2.setNumThreads(1)
out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/framepath"
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 4
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
full = np.frombuffer(open(out + "/in-1080p-q90.jpg", "rb").read(), np.uint8)
conforming = np.frombuffer(open(out + "/in-720p-q85.jpg", "rb").read(), np.uint8)


def resize_encode():
    img = cv2.imdecode(full, cv2.IMREAD_COLOR)
    small = cv2.resize(img, (1280, 720), interpolation=cv2.INTER_AREA)
    ok, jpg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 85])
    thumb = cv2.resize(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (64, 64), interpolation=cv2.INTER_AREA)
    return jpg


def reduced_thumb():
    grey = cv2.imdecode(conforming, cv2.IMREAD_REDUCED_GRAYSCALE_8)
    return cv2.resize(grey, (64, 64), interpolation=cv2.INTER_AREA)


def full_decode_encode():
    img = cv2.imdecode(conforming, cv2.IMREAD_COLOR)
    ok, jpg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return jpg


def report(name, step):
    warm = time.perf_counter() + 6
    while time.perf_counter() < warm:
        step()
    ms = []
    for _ in range(rounds):
        start = time.perf_counter()
        end = start + seconds
        n = 0
        while True:
            step()
            n += 1
            now = time.perf_counter()
            if now >= end:
                break
        ms.append((now - start) * 1000 / n)
    print("%-62s %8.2f ms/frame (rounds %s)" % (name, statistics.median(ms), [round(v, 2) for v in ms]))


print("OpenCV", cv2.__version__)
report("opencv 1080p -> 1280x720 INTER_AREA q85 (+64x64 grey)", resize_encode)
report("opencv 720p IMREAD_REDUCED_GRAYSCALE_8 -> 64x64", reduced_thumb)
report("opencv 720p decode + encode q85", full_decode_encode)
