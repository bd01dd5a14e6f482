using Bookinfo.Reviews;

ReviewsApp.Build(args).Run();
