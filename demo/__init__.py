"""``make demo``: the whole system on a local moto server, deployed by Terraform.

- :mod:`demo.cli`: the command (``python -m demo [--scenario NAME] [--port N] [--scale X]``);
- :mod:`demo.scenarios`: the incidents it can stage and what each must end with;
- :mod:`demo.eventbridge`: delivers a DMS event the way EventBridge would (rule pattern read
  back from the server, matched, then each target started / published to);
- :mod:`demo.terraform`: runs ``terraform`` on ``examples/local`` (init, apply, plan, destroy);
- :mod:`demo.timeline`: follows an execution and prints what happens, as it happens.
"""
