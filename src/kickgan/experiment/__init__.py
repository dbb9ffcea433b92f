"""The paper's comparison: a grid of training configs x seeds under one budget, scored, and reported.

- :mod:`~kickgan.experiment.spec`: the experiment YAML (``load_spec``);
- :mod:`~kickgan.experiment.runner`: ``run_experiment(spec, out)``: train, resume, score, report;
- :mod:`~kickgan.experiment.evaluation`: thin over :mod:`kickgan.metrics`: runs, real set, baselines, round trips;
- :mod:`~kickgan.experiment.record`: ``experiment.json``, the record every table and figure is drawn from;
- :mod:`~kickgan.experiment.report`: ``write_report(folder)``: results tables (:mod:`.results`), figures
  (:mod:`.figures`), ``index.html`` (:mod:`.gallery`) and ``methods.md`` (:mod:`.methods`);
- :mod:`~kickgan.experiment.analysis_report`: ``write_analysis(folder)``: the measurements of :mod:`.analysis`
  on the experiment's kicks against real ones, figures (:mod:`.analysis_figures`), ablations (:mod:`.ablation`);
- :mod:`~kickgan.experiment.paper`: ``write_paper(folder, out)``: LaTeX (:mod:`.latex`) and Markdown with
  the references of :mod:`.references`.
"""
