// Package subscription is a subscription-billing workflow written with Sundial's typed
// API: a customer is charged once per billing period until they cancel or their card is
// declined. It shows
//
//   - typed declarations of the workflow (Workflow), its activity (ChargeCard), a signal
//     (Cancel), an update with a validator (ChangePlan) and an argument-less query
//     (Status);
//   - a typed selector that waits for the cancel signal or the end of the period
//     (workflow.AddSignal next to Selector.AddFuture);
//   - typed continue-as-new (workflow.ContinueAsNewSelf) that keeps each run's history
//     short, however long the subscription lasts;
//   - errors matched anywhere in a chain (sundial.HasApplicationError);
//
// and, in its test, sundialtest's time skipping, delayed callbacks and typed activity
// mocks.
package subscription
