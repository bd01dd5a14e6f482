using Samples.Helloworld;

HelloworldApp.Build(args).Run();
