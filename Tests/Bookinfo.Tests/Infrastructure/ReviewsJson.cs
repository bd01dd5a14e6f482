namespace Bookinfo.Tests.Infrastructure;

/// <summary>Canned answers of a reviews service, for fake upstreams.</summary>
public static class ReviewsJson
{
    public static string WithStars(string podname, string color, int stars1, int stars2) =>
        $$$"""{"id":"0","podname":"{{{podname}}}","clustername":"null","version":"v3","reviews":[{"reviewer":"Reviewer1","text":"An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!","rating":{"stars":{{{stars1}}},"color":"{{{color}}}"}},{"reviewer":"Reviewer2","text":"Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.","rating":{"stars":{{{stars2}}},"color":"{{{color}}}"}}]}""";

    public const string RatingsUnavailable =
        """{"id":"0","podname":"reviews-v2","clustername":"null","version":"v2","reviews":[{"reviewer":"Reviewer1","text":"An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!","rating":{"error":"Ratings service is currently unavailable"}},{"reviewer":"Reviewer2","text":"Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.","rating":{"error":"Ratings service is currently unavailable"}}]}""";

    public const string Details =
        """{"id":0,"author":"William Shakespeare","year":1595,"type":"paperback","pages":200,"publisher":"PublisherA","language":"English","ISBN-10":"1234567890","ISBN-13":"123-1234567890"}""";
}
