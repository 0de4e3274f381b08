// Package fetch downloads children's social care statistics from the
// Department for Education's "Explore education statistics" (EES) service
// and ONS population estimates from Nomis, into a local data folder with a
// manifest of what was fetched.
//
// The EES content API is the service behind the website. It is unversioned,
// so every JSON shape is feature-detected: when a response lacks a field this
// package needs, it fails with a [ShapeError] naming the URL and the field.
//
// Layout written under the data folder DIR:
//
//	DIR/manifest.json                               one entry per file (see [Entry])
//	DIR/<publication-slug>/<release-slug>/<file>.csv data files, by original file name
//	DIR/<publication-slug>/<release-slug>/data-guidance.txt  (release zip only)
//	DIR/<PopulationPublication>/<PopulationRelease>/<PopulationFileName> (Nomis)
//	DIR/<publication-slug>/local/<file>             files brought in by [Import]
//
// Every file is written to a hidden temporary file (".tmp-*") in its final
// folder, hashed (SHA-256) while streaming, checked by a validator and only
// then renamed into place, so a failure leaves the previous good copy alone.
//
// Typical use:
//
//	c, err := fetch.New(fetch.Options{Version: version})
//	res, err := c.Fetch(ctx, fetch.Request{
//		Dir:         dataDir,
//		Publication: "children-in-need",
//		Want:        func(f fetch.DataSetFile) bool { return catalogue.Wants(f.Filename) },
//	})
package fetch
