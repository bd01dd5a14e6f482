namespace Bookinfo.Ratings;

/// <summary>Wire shape of Bookinfo's ratings: <c>{"id":0,"ratings":{"Reviewer1":5,"Reviewer2":4}}</c>.</summary>
internal sealed record ProductRatings(int Id, IReadOnlyDictionary<string, int> Ratings);

/// <summary>Bookinfo's error body: <c>{"error":"…"}</c>.</summary>
internal sealed record ErrorResponse(string Error);
