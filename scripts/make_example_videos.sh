#!/usr/bin/env bash
# Regenerate the example's short videos in content_library/assets/videos/ from the post
# images in content_library/assets/posts/ (made by scripts/make_example_images.py).
#
# Usage, from anywhere:   scripts/make_example_videos.sh
# Needs: ffmpeg built with libx264, libfreetype and libfontconfig (Debian/Ubuntu: ffmpeg),
#        and the Noto Sans CJK fonts (fonts-noto-cjk).
#
# Every video is a slideshow: a title card, the image cards one by one under a numbered
# caption, an end card; 0.4 s cross-fades and an orange progress bar along the bottom.
# Output: 540x960 (vertical, as WeChat shows short videos), 25 fps, H.264 yuv420p,
# no audio, +faststart, each under 400 KB; one encoder thread, so every run gives the same
# bytes. The poster is the title card, saved as PNG next to the video (videos/<name>.png).
# Nothing store-specific is drawn into a video: all 600 stores send the same file, so
# prices and phone numbers stay in the post text.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
POSTS="$ROOT/content_library/assets/posts"
OUT="$ROOT/content_library/assets/videos"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

W=540
H=960
FPS=25
FADE=0.4
BG=0xF6F8FB
NAVY=0x183F6E
ORANGE=0xF08523
INK=0x282C34
GREY=0x78808C
# drawtext takes a font family through fontconfig; the style is passed as a fontconfig
# pattern in `fontfile` (that is not a file, so drawtext falls back to fontconfig with it).
BOLD="font=Noto Sans CJK SC:fontfile='\:style=Bold'"
REGULAR="font=Noto Sans CJK SC"
# keep text free of ASCII : , ' \ (filter syntax); use full-width punctuation instead

still() {  # still OUTPUT FILTERS: one 540x960 frame drawn on the background colour
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=$BG:s=${W}x$H:d=1" \
    -vf "$2" -frames:v 1 "$1"
}

title_card() {  # title_card OUTPUT KICKER LINE1 LINE2 ITEM1 ITEM2 ITEM3 ITEM4 (empty items skipped)
  local out=$1 kicker=$2 line1=$3 line2=$4
  shift 4
  local filters="drawbox=x=0:y=0:w=$W:h=420:color=$NAVY:t=fill"
  filters+=",drawbox=x=0:y=420:w=$W:h=8:color=$ORANGE:t=fill"
  filters+=",drawtext=$REGULAR:text=$kicker:fontsize=28:fontcolor=0xDCE6F2:x=44:y=120"
  filters+=",drawtext=$BOLD:text=$line1:fontsize=58:fontcolor=white:x=44:y=190"
  filters+=",drawtext=$BOLD:text=$line2:fontsize=58:fontcolor=white:x=44:y=280"
  local y=500 item
  for item in "$@"; do
    [ -n "$item" ] || continue
    filters+=",drawtext=$BOLD:text=$item:fontsize=38:fontcolor=$INK:x=44:y=$y"
    y=$((y + 76))
  done
  filters+=",drawtext=$REGULAR:text=${FOOTER:-路安轮胎 · 车友小课堂}:fontsize=24:fontcolor=$GREY:x=44:y=$((H - 80))"
  still "$out" "$filters"
}

card_frame() {  # card_frame OUTPUT IMAGE CAPTION [CROP]: the card under a caption line
  local out=$1 image=$2 caption=$3 crop=${4:-}
  local scale="scale=510:-2"
  [ -z "$crop" ] || scale="crop=$crop,scale=510:-2"
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=$BG:s=${W}x$H:d=1" -i "$image" \
    -filter_complex "[1:v]$scale[card];[0:v][card]overlay=x=15:y='max(96,(main_h-overlay_h)/2)',drawtext=$BOLD:text=$caption:fontsize=36:fontcolor=$NAVY:x=30:y=28" \
    -frames:v 1 "$out"
}

end_card() {  # end_card OUTPUT LINE1 LINE2 SMALL
  still "$1" "drawtext=$BOLD:text=$2:fontsize=50:fontcolor=$NAVY:x=(w-text_w)/2:y=360,drawtext=$BOLD:text=$3:fontsize=50:fontcolor=$NAVY:x=(w-text_w)/2:y=440,drawbox=x=170:y=540:w=200:h=6:color=$ORANGE:t=fill,drawtext=$REGULAR:text=$4:fontsize=26:fontcolor=$GREY:x=(w-text_w)/2:y=580"
}

compare_card() {  # the two product cards side by side, as a table drawn with text
  local filters="drawtext=$BOLD:text=两款怎么选:fontsize=40:fontcolor=$NAVY:x=30:y=150"
  filters+=",drawbox=x=30:y=230:w=230:h=110:color=$NAVY:t=fill"
  filters+=",drawbox=x=280:y=230:w=230:h=110:color=0x1E6090:t=fill"
  filters+=",drawtext=$BOLD:text=长驰:fontsize=40:fontcolor=white:x=50:y=245"
  filters+=",drawtext=$REGULAR:text=LA-H580:fontsize=28:fontcolor=white:x=50:y=295"
  filters+=",drawtext=$BOLD:text=雪行:fontsize=40:fontcolor=white:x=300:y=245"
  filters+=",drawtext=$REGULAR:text=LA-W330:fontsize=28:fontcolor=white:x=300:y=295"
  local y=370 left right row=0
  while [ $# -gt 0 ]; do
    left=$1 right=$2
    shift 2
    [ $((row % 2)) -eq 1 ] || filters+=",drawbox=x=30:y=$((y - 14)):w=480:h=88:color=0xE1E7EE:t=fill"
    filters+=",drawtext=$BOLD:text=$left:fontsize=30:fontcolor=$INK:x=50:y=$y"
    filters+=",drawtext=$BOLD:text=$right:fontsize=30:fontcolor=$INK:x=300:y=$y"
    y=$((y + 88))
    row=$((row + 1))
  done
  filters+=",drawbox=x=30:y=$((y + 10)):w=480:h=6:color=$ORANGE:t=fill"
  still "$WORK/compare.png" "$filters"
}

assemble() {  # assemble NAME FRAME:SECONDS ...: cross-fade the stills, add the progress bar
  local name=$1
  shift
  local inputs=() graph="" previous offset=0 index=0 total=0 entry file seconds
  for entry in "$@"; do
    file=${entry%%:*}
    seconds=${entry##*:}
    inputs+=(-loop 1 -framerate "$FPS" -t "$seconds" -i "$file")
    graph+="[$index:v]format=yuv420p,setsar=1[s$index];"
    index=$((index + 1))
  done
  previous="[s0]"
  index=0
  for entry in "$@"; do
    seconds=${entry##*:}
    if [ "$index" -gt 0 ]; then
      graph+="${previous}[s$index]xfade=transition=fade:duration=$FADE:offset=$offset[x$index];"
      previous="[x$index]"
    fi
    offset=$(awk "BEGIN { print $offset + $seconds - $FADE }")
    total=$(awk "BEGIN { print $total + $seconds - $FADE }")
    index=$((index + 1))
  done
  total=$(awk "BEGIN { print $total + $FADE }")
  inputs+=(-f lavfi -i "color=c=$ORANGE:s=${W}x8:r=$FPS:d=$total")
  graph+="${previous}[$index:v]overlay=x='-W+W*t/$total':y=H-8:eval=frame:shortest=1,format=yuv420p[v]"
  ffmpeg -hide_banner -loglevel error -y "${inputs[@]}" -filter_complex "$graph" -map "[v]" \
    -an -c:v libx264 -threads 1 -preset veryslow -tune stillimage -crf 30 -pix_fmt yuv420p \
    -r "$FPS" -g 250 -movflags +faststart -t "$total" "$OUT/$name.mp4"
  local first=$1
  cp "${first%%:*}" "$OUT/$name.png"  # the poster: the title card, i.e. the first frame
  echo "$name.mp4: $(wc -c <"$OUT/$name.mp4") bytes, $total s"
}

# --- 1. 出车前查胎四件事 -------------------------------------------------------------------
title_card "$WORK/check-title.png" "出车前三分钟" "出车前查胎" "四件事" \
  "① 花纹还剩多少" "② 胎侧有没有鼓包" "③ 备胎能不能用" "④ 冷胎测胎压"
card_frame "$WORK/check-1.png" "$POSTS/tread-depth.png" "① 查花纹：磨到标记就换"
card_frame "$WORK/check-2.png" "$POSTS/tyre-bulge.png" "② 查鼓包：只能换不能补"
card_frame "$WORK/check-3.png" "$POSTS/spare-tyre.png" "③ 查备胎：气压、吊架、工具"
card_frame "$WORK/check-4.png" "$POSTS/winter-pressure.png" "④ 查胎压：冷胎测才准"
end_card "$WORK/check-end.png" "绕车一圈" "三分钟的事" "拿不准的，到店让师傅看一眼"
assemble pre-trip-tyre-check \
  "$WORK/check-title.png:2.6" "$WORK/check-1.png:3" "$WORK/check-2.png:3" \
  "$WORK/check-3.png:3" "$WORK/check-4.png:3" "$WORK/check-end.png:2"

# --- 2. 冬天跑车两件事：柴油标号、胎压 -------------------------------------------------------
title_card "$WORK/winter-title.png" "往北跑之前" "冬天跑车" "先管这两样" \
  "① 柴油标号跟着降温换" "② 胎压冷胎测、降温补气" "" ""
card_frame "$WORK/winter-1.png" "$POSTS/diesel-grade.png" "① 柴油：按沿途最低气温选"
card_frame "$WORK/winter-2.png" "$POSTS/winter-pressure.png" "② 胎压：气温降了要补气"
end_card "$WORK/winter-end.png" "往北跑" "提前换油、补气" "具体以加油站公示和当地气温为准"
assemble winter-diesel-pressure \
  "$WORK/winter-title.png:2.6" "$WORK/winter-1.png:4" "$WORK/winter-2.png:4" \
  "$WORK/winter-end.png:2"

# --- 3. 同一根轴不混装 -----------------------------------------------------------------------
title_card "$WORK/mixing-title.png" "换胎别图省事" "同一根轴" "不混装" \
  "① 子午线胎、斜交胎不混装" "② 规格、花纹尽量一致" "③ 双胎新旧要接近" ""
card_frame "$WORK/mixing-1.png" "$POSTS/mixing-tyres.png" "左边对，右边错" "720:400:0:250"
card_frame "$WORK/mixing-2.png" "$POSTS/mixing-tyres.png" "一新一旧并装，新胎替旧胎扛着"
end_card "$WORK/mixing-end.png" "拿不准怎么配" "拍张照片问师傅" "同轴成对换，好胎先放转向轮"
assemble same-axle-no-mixing \
  "$WORK/mixing-title.png:2.6" "$WORK/mixing-1.png:3" "$WORK/mixing-2.png:4" \
  "$WORK/mixing-end.png:2"

# --- 4. 长驰还是雪行：两款胎怎么选 -----------------------------------------------------------
FOOTER="路安轮胎 · 合作门店有售" title_card "$WORK/compare-title.png" "两款路安卡车胎" "长驰还是雪行" \
  "看你跑什么路" "① 高速干线：长驰 LA-H580" "② 冰雪山路：雪行 LA-W330" "" ""
card_frame "$WORK/compare-1.png" "$POSTS/product-la-h580.png" "跑高速干线：长驰 LA-H580"
card_frame "$WORK/compare-2.png" "$POSTS/product-la-w330.png" "常跑冰雪山路：雪行 LA-W330"
compare_card "跑高速干线" "跑冰雪山路" "装驱动轮" "全位置可用" "花纹深、耐磨" "刀槽多、抓地" \
  "省油、可翻新" "低温不发硬"
end_card "$WORK/compare-end.png" "到店看实物" "按车型路况配胎" "规格和价格以门店为准"
assemble h580-vs-w330 \
  "$WORK/compare-title.png:2.6" "$WORK/compare-1.png:3" "$WORK/compare-2.png:3" \
  "$WORK/compare.png:3.5" "$WORK/compare-end.png:2"
