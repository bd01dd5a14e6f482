using Samples.Httpbin;

HttpbinApp.Build(args).Run();
