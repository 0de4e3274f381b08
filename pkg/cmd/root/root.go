// Package root assembles the cscstats command tree.
package root

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cscstats/cscstats/pkg/cache"
	"github.com/cscstats/cscstats/pkg/cmd/cascade"
	"github.com/cscstats/cscstats/pkg/cmd/compare"
	"github.com/cscstats/cscstats/pkg/cmd/correlate"
	fetchcmd "github.com/cscstats/cscstats/pkg/cmd/fetch"
	"github.com/cscstats/cscstats/pkg/cmd/inspect"
	lacmd "github.com/cscstats/cscstats/pkg/cmd/la"
	measurescmd "github.com/cscstats/cscstats/pkg/cmd/measures"
	plotcmd "github.com/cscstats/cscstats/pkg/cmd/plot"
	ratescmd "github.com/cscstats/cscstats/pkg/cmd/rates"
	reportcmd "github.com/cscstats/cscstats/pkg/cmd/report"
	"github.com/cscstats/cscstats/pkg/cmd/revisions"
	sourcescmd "github.com/cscstats/cscstats/pkg/cmd/sources"
	"github.com/cscstats/cscstats/pkg/cmd/spread"
	"github.com/cscstats/cscstats/pkg/cmd/trend"
	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/export"
)

// NewCmdRoot builds the root command. Subcommands read the data directory
// and format from the Factory, which the persistent flags fill in.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cscstats",
		Short: "English children's social care statistics from DfE open data",
		Long: `cscstats reads the Department for Education's open data on children in need,
child protection and children looked after, and computes per-authority rates
per 10,000 children, trends, comparisons, correlations and charts.

Data: files from "Explore education statistics" in the data directory
(--data, CSCSTATS_DATA, default data/ees); the first command downloads
them if the folder is missing or empty (or run cscstats fetch).`,
		Example: `  cscstats report                                  # the page that checks "The Way Forward"
  cscstats report council Leeds                    # one council's profile
  cscstats report councils --out reports/councils  # every council, with an index
  cscstats rates --measure s47 --year 2024 --la Leeds
  cscstats compare Blackpool --measure all --neighbours
  cscstats plot trend --measure s47,icpc --la Leeds -o leeds.png
  cscstats measures                                # what can be computed, and for which years`,
		Version:       f.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			f.DataDirGiven = cmd.Flags().Changed("data")
			if !f.DataDirGiven {
				if env := os.Getenv(cmdutil.DataEnv); env != "" {
					f.DataDir = env
					f.DataDirGiven = true
				}
			}
			if !cmd.Flags().Changed("offline") {
				switch strings.ToLower(os.Getenv(cmdutil.OfflineEnv)) {
				case "1", "true", "yes":
					f.Offline = true
				}
			}
			f.Format = strings.ToLower(strings.TrimSpace(f.Format)) // --format CSV, as --measure S47
			if err := export.CheckFormat(f.Format); err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			return f.CheckPopulation()
		},
	}
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetIn(f.IOStreams.In)
	if f.DataDir == "" {
		f.DataDir = cmdutil.DefaultDataDir
	}
	if f.Format == "" {
		f.Format = "table"
	}
	cmd.PersistentFlags().StringVar(&f.DataDir, "data", f.DataDir, "data directory (env "+cmdutil.DataEnv+")")
	cmd.PersistentFlags().StringVar(&f.Format, "format", f.Format, "output format for tables: table, csv, json or markdown")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(export.Formats, cobra.ShellCompDirectiveNoFileComp))
	cmd.PersistentFlags().StringVar(&f.OutDir, "out-dir", "", "with --format csv: write every table as DIR/<table>.csv (stdout gets only the main table otherwise)")
	_ = cmd.MarkPersistentFlagDirname("out-dir")
	_ = cmd.MarkPersistentFlagDirname("data")
	cmd.PersistentFlags().BoolVar(&f.Offline, "offline", f.Offline, "never download: without data, fail with advice instead of fetching it (env "+cmdutil.OfflineEnv+"=1)")
	if f.CacheDir == "" {
		f.CacheDir = cache.DefaultDir()
	}
	cmd.PersistentFlags().BoolVar(&f.NoCache, "no-cache", f.NoCache, "read the data files again instead of the store an earlier run cached (in the user cache folder, or "+cache.DirEnv+")")
	cmdutil.AddPopulationFlag(cmd.PersistentFlags(), f)
	_ = cmd.RegisterFlagCompletionFunc("population", cmdutil.CompletePopulation)
	if f.Fetcher == nil {
		f.Fetcher = fetchcmd.AutoFetcher(f)
	}

	cmd.AddCommand(reportcmd.NewCmdReport(f, nil))
	cmd.AddCommand(ratescmd.NewCmdRates(f, nil))
	cmd.AddCommand(trend.NewCmdTrend(f, nil))
	cmd.AddCommand(plotcmd.NewCmdPlot(f, nil))
	cmd.AddCommand(measurescmd.NewCmdMeasures(f, nil))
	cmd.AddCommand(inspect.NewCmdInspect(f, nil))
	cmd.AddCommand(fetchcmd.NewCmdFetch(f, nil))
	cmd.AddCommand(sourcescmd.NewCmdSources(f, nil))
	cmd.AddCommand(correlate.NewCmdCorrelate(f, nil))
	cmd.AddCommand(spread.NewCmdSpread(f, nil))
	cmd.AddCommand(lacmd.NewCmdLA(f))
	cmd.AddCommand(compare.NewCmdCompare(f, nil))
	cmd.AddCommand(cascade.NewCmdCascade(f, nil))
	cmd.AddCommand(revisions.NewCmdRevisions(f, nil))
	return cmd
}
