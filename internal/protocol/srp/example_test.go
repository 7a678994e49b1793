package srp_test

import (
	"fmt"
	"log"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/srp"
)

// A whole USER_SRP_AUTH sign-in with both sides in one process: the pool
// stores a verifier when the password is set, and later checks the
// client's proof of the password against it.
func Example() {
	const poolID, userID, password = "eu-west-2_AbC123xyz", "0f0e6a42-9d3c-4c6e-8f5e-2b7d1c9a4e11", "Correct-Horse-9"
	poolName, err := srp.PoolName(poolID)
	if err != nil {
		log.Fatal(err)
	}
	salt, verifier := srp.NewVerifier(poolName, userID, password) // at sign-up

	client, err := srp.NewClient(poolID) // InitiateAuth sends client.A() as SRP_A
	if err != nil {
		log.Fatal(err)
	}
	server, err := srp.NewServer(poolName, userID, salt, verifier, client.A())
	if err != nil {
		log.Fatal(err)
	}
	now := time.Now()
	// The challenge is InitiateAuth's answer; Respond makes the
	// ChallengeResponses of RespondToAuthChallenge.
	responses, err := client.Respond("jane@example.com", password, server.Challenge(), now)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(server.Verify(responses, now))
	// Output: <nil>
}
