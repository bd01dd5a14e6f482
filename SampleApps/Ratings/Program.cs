using Bookinfo.Ratings;

RatingsApp.Build(args).Run();
