namespace RetryGuard.Analyzers.Tests.Polly;

public class SmokeTests
{
    [Fact]
    public Task V7_exponential() => PollyTestSupport.Verify("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .OrResult(msg => msg.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(6, {|RG0001:retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt))|});
        }
        """);

    [Fact]
    public void V7_model()
    {
        var c = PollyTestSupport.Single("""
            class C
            {
                IAsyncPolicy<HttpResponseMessage> P() =>
                    HttpPolicyExtensions.HandleTransientHttpError()
                        .OrResult(msg => msg.StatusCode == HttpStatusCode.TooManyRequests)
                        .WaitAndRetryAsync(6, retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt)));
            }
            """);
        Assert.Equal("408, 429, 500–599", c.RetryStatuses?.ToString());
    }
}
