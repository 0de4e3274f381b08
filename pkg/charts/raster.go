package charts

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"git.sr.ht/~sbinet/gg"
	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// rasterCanvas is the PNG canvas: vgimg's, with upright text drawn
// straight onto the image.
//
// vgimg draws every glyph through gg, which places it with
// x/image/draw's bilinear Kernel.Transform even when the transform is a
// whole-pixel translation (it always is for upright text: the canvas's
// y flip and the one FillString adds cancel out), and makes a new font
// face, with empty caches, for every string. That was a fifth of
// `cscstats report`'s time. For a whole-pixel translation the bilinear
// kernel's only non-zero tap has weight 1, so Transform computes the
// Porter-Duff "over" of the glyph's coverage in its colour; glyphOver
// does that with Transform's integer arithmetic, so the pixels are the
// same (TestPNGSamePixels compares every test chart with vgimg's own
// drawing; image/draw's glyph path rounds once where Transform rounds
// twice, and differed by one in a pixel of a test chart). Text under a
// rotation, scale or translation of the canvas is drawn as vgimg draws
// it.
//
// vgimg.NewWith also allocated every image twice (gg copies the image it
// is given into a new one): a canvas here makes its image and gg's
// context for it directly. vgimg then takes the canvas size from the
// image, rounded to whole pixels, so the canvas reports (Size) and draws
// text from the size asked for, as vgimg.NewWith's canvas does. (Reusing
// the pixels of the last chart drawn, through a sync.Pool, saved no
// measurable time and held so much memory live that `report councils`
// grew from 260 MB to 680 MB resident.)
type rasterCanvas struct {
	pngCanvas
	ctx  *gg.Context
	w, h vg.Length // the size asked for
	// states mirrors vgimg's Push/Pop stack: the colour text is drawn in
	// and whether the canvas has been transformed at that level.
	states []rasterState
	faces  map[faceKey]xfont.Face
}

type rasterState struct {
	color color.Color
	moved bool
}

type faceKey struct {
	font font.Font
	face *opentype.Font
}

func newRasterCanvas(width, height vg.Length) *rasterCanvas {
	// The image vgimg.NewWith(vgimg.UseWH(width, height), ...) makes,
	// and the context it makes for it.
	pw := width / vg.Inch * vg.Length(PNGDPI)
	ph := height / vg.Inch * vg.Length(PNGDPI)
	r := image.Rect(0, 0, int(pw+0.5), int(ph+0.5))
	img := image.NewRGBA(r)
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	// NewWith fills the image with white and sets the defaults.
	cv := vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(PNGDPI))
	return &rasterCanvas{
		pngCanvas: pngCanvas{cv},
		ctx:       ctx,
		w:         width,
		h:         height,
		states:    []rasterState{{color: color.Black}},
	}
}

// Size is the size the canvas was asked for.
func (c *rasterCanvas) Size() (w, h vg.Length) { return c.w, c.h }

func (c *rasterCanvas) top() *rasterState { return &c.states[len(c.states)-1] }

func (c *rasterCanvas) SetColor(clr color.Color) {
	if clr == nil {
		clr = color.Black // as vgimg
	}
	c.top().color = clr
	c.Canvas.SetColor(clr)
}

func (c *rasterCanvas) Push() {
	c.states = append(c.states, *c.top())
	c.Canvas.Push()
}

func (c *rasterCanvas) Pop() {
	c.states = c.states[:len(c.states)-1]
	c.Canvas.Pop()
}

func (c *rasterCanvas) Rotate(t float64) {
	c.top().moved = true
	c.Canvas.Rotate(t)
}

func (c *rasterCanvas) Translate(pt vg.Point) {
	c.top().moved = true
	c.Canvas.Translate(pt)
}

func (c *rasterCanvas) Scale(x, y float64) {
	c.top().moved = true
	c.Canvas.Scale(x, y)
}

// FillString draws str as vgimg.Canvas.FillString does: from the point
// (x, h − y) in dots, h the canvas height, the glyphs placed at
// sub-pixel positions (26.6 fixed point, rounded), kerned.
func (c *rasterCanvas) FillString(f font.Face, pt vg.Point, str string) {
	if f.Font.Size == 0 {
		return
	}
	st := c.top()
	dst := c.Image().(*image.RGBA)
	dpi := c.DPI()
	x, y := pt.X.Dots(dpi), c.h.Dots(dpi)-pt.Y.Dots(dpi)
	if st.moved {
		// As vgimg.Canvas.FillString.
		c.ctx.Push()
		defer c.ctx.Pop()
		c.ctx.SetFontFace(c.face(f))
		c.ctx.InvertY()
		c.ctx.DrawString(str, x, y)
		return
	}
	face := c.face(f)
	dot := fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}
	sr, sg, sb, sa := st.color.RGBA()
	// As gg's drawString (x/image/font.Drawer.DrawString but for a glyph
	// the face lacks).
	prev := rune(-1)
	for _, r := range str {
		if prev >= 0 {
			dot.X += face.Kern(prev, r)
		}
		dr, mask, mp, advance, ok := face.Glyph(dot, r)
		if !ok {
			continue
		}
		if m, ok := mask.(*image.Alpha); ok {
			glyphOver(dst, dr, m, mp, sr, sg, sb, sa)
		} else {
			draw.DrawMask(dst, dr, image.NewUniform(st.color), image.Point{}, mask, mp, draw.Over)
		}
		dot.X += advance
		prev = r
	}
}

// glyphOver composites the colour (r, g, b, a), premultiplied 16-bit,
// through mask (the glyph's coverage, mask point mp at dr.Min) over dst
// in dr, exactly as x/image/draw's Kernel.Transform "over" does for a
// whole-pixel translation: with the colour scaled by coverage c,
//
//	p = colour·c/0xffff,  out = d·(0xffff − p_a)/0xffff + p   (16-bit)
//
// each division truncating, and out stored as its high byte.
func glyphOver(dst *image.RGBA, dr image.Rectangle, mask *image.Alpha, mp image.Point, r, g, b, a uint32) {
	clip := dr.Intersect(dst.Rect)
	if clip.Empty() {
		return
	}
	mp = mp.Add(clip.Min.Sub(dr.Min))
	for y := clip.Min.Y; y < clip.Max.Y; y++ {
		d := dst.Pix[dst.PixOffset(clip.Min.X, y):]
		ms := mask.Pix[mask.PixOffset(mp.X, mp.Y+y-clip.Min.Y):]
		for i := range clip.Dx() {
			c := uint32(ms[i])
			if c == 0 {
				continue // out = d
			}
			c |= c << 8
			pa := a * c / 0xffff
			pr, pg, pb := min(r*c/0xffff, pa), min(g*c/0xffff, pa), min(b*c/0xffff, pa)
			keep := 0xffff - pa
			px := d[4*i : 4*i+4 : 4*i+4]
			px[0] = uint8((uint32(px[0])*0x101*keep/0xffff + pr) >> 8)
			px[1] = uint8((uint32(px[1])*0x101*keep/0xffff + pg) >> 8)
			px[2] = uint8((uint32(px[2])*0x101*keep/0xffff + pb) >> 8)
			px[3] = uint8((uint32(px[3])*0x101*keep/0xffff + pa) >> 8)
		}
	}
}

// face is f at the canvas's resolution, made once per canvas (a face is
// not safe for concurrent use; a canvas is drawn by one goroutine).
func (c *rasterCanvas) face(f font.Face) xfont.Face {
	k := faceKey{f.Font, f.Face}
	if ff, ok := c.faces[k]; ok {
		return ff
	}
	if c.faces == nil {
		c.faces = make(map[faceKey]xfont.Face)
	}
	ff := f.FontFace(c.DPI())
	c.faces[k] = ff
	return ff
}
