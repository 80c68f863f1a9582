#!/usr/bin/env bash
# Tasks through the admin API over real HTTP on loopback, on SQLite and
# PostgreSQL: machines enrolled through the real agent API; an officer
# queues tasks for its own endpoints and unit subtree only (a viewer
# never; another unit's is 403); every kind's parameters checked strictly
# (absolute canonical paths, no control characters, restore naming this
# machine's quarantined detection or a vault item); lists filtered and
# paged; a task is delivered in the agent's heartbeat answer and its
# result shows in GET /api/v1/tasks/{id}; only pending or sent tasks can
# be cancelled, and a cancelled task is not delivered; all audited.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
# api() copies its answer to ./code and ./body: work one folder down
mkdir -p "$WORK/run" && cd "$WORK/run"

# delivered CRED -> the task ids of a heartbeat answer, space-separated
delivered() {
	agent_post "$1" /heartbeat '{}'
	expect_code 200 "heartbeat: "
	python3 -c "import json; print(' '.join(str(t['id']) for t in json.load(open('body'))['tasks']))"
}

# post_task AS PATH BODY WANT_CODE [WORD]: the reason names WORD on a 400
post_task() {
	api "$1" POST "$2" "$3"
	expect_code "$4" "$1 POST $2 $3: "
	if [ -n "${5:-}" ] && ! grep -q -- "$5" body; then
		fail "$1 POST $2 $3: the reason does not name $5: $(cat body)"
	fi
}

scenario() {
	fleet_setup 1 1 1
	enroll "$TOK_A" alpha
	A1_ID=$EP_ID A1_CRED=$EP_CRED
	enroll "$TOK_A1" lab
	A2_ID=$EP_ID A2_CRED=$EP_CRED
	enroll "$TOK_B" bravo
	B1_ID=$EP_ID B1_CRED=$EP_CRED
	api root GET "/api/v1/endpoints/$A1_ID"
	UNIT_A=$(json '["unit"]["id"]')
	api root GET "/api/v1/endpoints/$B1_ID"
	UNIT_B=$(json '["unit"]["id"]')
	# alpha found a file and quarantined it; bravo found one still active
	local now
	now=$(date +%s)
	agent_post "$A1_CRED" /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-000000000001\",\"kind\":\"detection\",\"time\":$now,\"payload\":{\"path\":\"/home/u/x\",\"sha256\":\"$(printf 'c%.0s' {1..64})\",\"name\":\"Eicar\",\"state\":\"quarantined\"}}]}"
	expect_code 200 "alpha's detection: "
	agent_post "$B1_CRED" /events "{\"events\":[{\"uuid\":\"00000000-0000-4000-8000-000000000002\",\"kind\":\"detection\",\"time\":$now,\"payload\":{\"path\":\"/tmp/y\",\"name\":\"Eicar\",\"state\":\"active\"}}]}"
	expect_code 200 "bravo's detection: "
	api root GET "/api/v1/detections?endpoint=$A1_ID"
	DET_A=$(json '["items"][0]["id"]')
	api root GET "/api/v1/detections?endpoint=$B1_ID"
	DET_B=$(json '["items"][0]["id"]')

	# --- who may queue ---
	post_task off_a "/api/v1/endpoints/$A1_ID/tasks" '{"kind":"scan_quick"}' 201
	T1=$(json '["id"]')
	[ "$(json '["state"]') $(json '["created_by"]["login"]') $(json '["endpoint"]["hostname"]')" = "pending off_a alpha" ] ||
		fail "created task: $(cat body)"
	[ "$(json '["expires_at"] - json.load(open("body"))["created_at"]')" = $((72 * 3600)) ] ||
		fail "default expiry: $(cat body)"
	post_task view_a "/api/v1/endpoints/$A1_ID/tasks" '{"kind":"scan_quick"}' 403
	post_task off_b "/api/v1/endpoints/$A1_ID/tasks" '{"kind":"scan_quick"}' 403
	post_task off_a "/api/v1/endpoints/$A2_ID/tasks" '{"kind":"update","expires_in_hours":1}' 201  # A1 is below A
	post_task root "/api/v1/endpoints/$B1_ID/tasks" '{"kind":"scan_full"}' 201
	T_ROOT=$(json '["id"]')
	post_task root /api/v1/endpoints/999999/tasks '{"kind":"scan_full"}' 404
	post_task - "/api/v1/endpoints/$A1_ID/tasks" '{"kind":"scan_full"}' 401

	# --- parameters, per kind ---
	local ep="/api/v1/endpoints/$A1_ID/tasks"
	post_task off_a "$ep" '{"kind":"format_disk"}' 400 kind
	post_task off_a "$ep" '{}' 400 kind
	post_task off_a "$ep" '{"kind":"scan_quick","surprise":1}' 400 surprise
	post_task off_a "$ep" '{"kind":"scan_quick","params":{"path":"/tmp"}}' 400 params.path
	post_task off_a "$ep" '{"kind":"scan_quick","params":{"x":1}}' 400 x
	post_task off_a "$ep" '{"kind":"scan_path"}' 400 params.path
	post_task off_a "$ep" '{"kind":"scan_path","params":{"path":"tmp/x"}}' 400 params.path
	post_task off_a "$ep" '{"kind":"scan_path","params":{"path":"/tmp/../etc"}}' 400 params.path
	post_task off_a "$ep" '{"kind":"scan_path","params":{"path":"/tmp/./x"}}' 400 params.path
	post_task off_a "$ep" '{"kind":"scan_path","params":{"path":"/tmp//x"}}' 400 params.path
	post_task off_a "$ep" '{"kind":"scan_path","params":{"path":"/tmp/a\nb"}}' 400 params.path
	post_task off_a "$ep" '{"kind":"scan_path","params":{"path":"/tmp/a\u0000b"}}' 400
	post_task off_a "$ep" "{\"kind\":\"scan_path\",\"params\":{\"path\":\"/$(printf 'x%.0s' {1..4100})\"}}" 400 path
	post_task off_a "$ep" '{"kind":"scan_path","params":{"path":7}}' 400 path
	post_task off_a "$ep" '{"kind":"delete","params":{"path":"/tmp/x","detection_id":1}}' 400 detection_id
	post_task off_a "$ep" '{"kind":"scan_full","expires_in_hours":0}' 400 expires_in_hours
	post_task off_a "$ep" '{"kind":"scan_full","expires_in_hours":100000}' 400 expires_in_hours
	post_task off_a "$ep" '{"kind":"restore"}' 400 params
	post_task off_a "$ep" "{\"kind\":\"restore\",\"params\":{\"detection_id\":$DET_A,\"vault_item\":\"0123456789abcdef01234567\"}}" 400 params
	post_task off_a "$ep" '{"kind":"restore","params":{"vault_item":"../../etc/passwd"}}' 400 vault_item
	post_task off_a "$ep" "{\"kind\":\"restore\",\"params\":{\"detection_id\":$DET_B}}" 400 detection_id
	post_task root "/api/v1/endpoints/$B1_ID/tasks" "{\"kind\":\"restore\",\"params\":{\"detection_id\":$DET_B}}" 400 quarantined
	post_task off_a "$ep" '{"kind":"scan_path","params":{"path":"/home/o'"'"'brien; DROP TABLE tasks;--"}}' 201
	[ "$(json '["params"]["path"]')" = "/home/o'brien; DROP TABLE tasks;--" ] || fail "path round trip: $(cat body)"
	post_task off_a "$ep" "{\"kind\":\"restore\",\"params\":{\"detection_id\":$DET_A}}" 201
	[ "$(json '["params"]["path"]') $(json '["params"]["detection_id"]')" = "/home/u/x $DET_A" ] ||
		fail "restore params: $(cat body)"
	post_task off_a "$ep" '{"kind":"restore","params":{"vault_item":"0123456789abcdef01234567"}}' 201
	post_task off_a "$ep" '{"kind":"quarantine","params":{"path":"/home/u/x"}}' 201
	T_CANCEL=$(json '["id"]')
	post_task off_a "$ep" '{"kind":"delete","params":{"path":"/home/u/y"},"expires_in_hours":2}' 201
	[ "$(json '["expires_at"] - json.load(open("body"))["created_at"]')" = 7200 ] || fail "expiry: $(cat body)"
	post_task off_a "$ep" 'not json' 400

	# --- a whole subtree ---
	post_task off_a "/api/v1/units/$UNIT_A/tasks" '{"kind":"update"}' 201
	[ "$(json '["count"]')" = 2 ] || fail "A's subtree has 2 endpoints: $(cat body)"
	post_task off_a "/api/v1/units/$UNIT_B/tasks" '{"kind":"update"}' 403
	post_task view_a "/api/v1/units/$UNIT_A/tasks" '{"kind":"update"}' 403
	post_task root /api/v1/units/999999/tasks '{"kind":"update"}' 404
	post_task root "/api/v1/units/$UNIT_A/tasks" "{\"kind\":\"restore\",\"params\":{\"detection_id\":$DET_A}}" 400 restore
	post_task root "/api/v1/units/$UNIT_A/tasks" '{"kind":"quarantine","params":{"path":"/opt/bad"}}' 201
	# 8 endpoint tasks and 2 subtree tasks (of 2 endpoints each): 10 records, 12 tasks
	[ "$(audit_count task.create)" = 10 ] || fail "task.create audited $(audit_count task.create) times, want 10"

	# --- lists ---
	expect_total root /api/v1/tasks 12
	expect_total off_a /api/v1/tasks 11
	expect_total view_a /api/v1/tasks 11
	expect_total off_b /api/v1/tasks 1
	expect_total root "/api/v1/tasks?unit=$UNIT_B" 1
	api off_a GET "/api/v1/tasks?unit=$UNIT_B"
	expect_code 403 "officer of A listing B's tasks: "
	expect_total root "/api/v1/tasks?kind=update" 3
	expect_total root "/api/v1/tasks?endpoint=$A2_ID" 3
	expect_total off_b "/api/v1/tasks?endpoint=$A2_ID" 0
	expect_total root "/api/v1/tasks?state=pending&kind=restore" 2
	api root GET "/api/v1/tasks?limit=2&offset=0"
	[ "$(json '["items"].__len__()') $(json '["items"][0]["id"] > json.load(open("body"))["items"][1]["id"]')" = "2 True" ] ||
		fail "newest first: $(cat body)"
	for bad in "state=lost" "kind=reboot" "endpoint=x" "limit=501" "unit=-1"; do
		api root GET "/api/v1/tasks?$bad"
		expect_code 400 "tasks?$bad: "
		grep -q "${bad%%=*}" body || fail "tasks?$bad: reason does not name ${bad%%=*}: $(cat body)"
	done
	api off_b GET "/api/v1/tasks/$T1"
	expect_code 403 "another unit's task: "
	api root GET /api/v1/tasks/999999
	expect_code 404 "no such task: "

	# --- cancelling ---
	api view_a POST "/api/v1/tasks/$T_CANCEL/cancel"
	expect_code 403 "a viewer cancelling: "
	api off_b POST "/api/v1/tasks/$T_CANCEL/cancel"
	expect_code 403 "another unit's officer cancelling: "
	api off_a POST "/api/v1/tasks/$T_CANCEL/cancel"
	expect_code 200 "cancel: "
	[ "$(json '["state"]')" = cancelled ] || fail "cancelled: $(cat body)"
	api off_a POST "/api/v1/tasks/$T_CANCEL/cancel"
	expect_code 409 "cancelled twice: "
	[ "$(audit_count task.cancel)" = 1 ] || fail "task.cancel audited $(audit_count task.cancel) times"

	# --- delivery to the agent and its result ---
	local ids
	ids=" $(delivered "$A1_CRED") "
	[[ "$ids" == *" $T1 "* ]] || fail "scan_quick $T1 not delivered to alpha: $ids"
	[[ "$ids" != *" $T_CANCEL "* ]] || fail "the cancelled task $T_CANCEL was delivered: $ids"
	api off_a GET "/api/v1/tasks/$T1"
	[ "$(json '["state"]')" = sent ] || fail "delivered task: $(cat body)"
	[ "$(json '["sent_at"] is not None')" = True ] || fail "sent_at: $(cat body)"
	agent_post "$B1_CRED" "/tasks/$T1/result" '{"state":"done"}'
	expect_code 404 "another machine's task result: "
	agent_post "$A1_CRED" "/tasks/$T1/result" '{"state":"done","result":{"files":42,"infected":0}}'
	expect_code 200 "task result: "
	api view_a GET "/api/v1/tasks/$T1"
	expect_code 200 "task detail: "
	[ "$(json '["state"]') $(json '["result"]["files"]')" = "done 42" ] || fail "task result shows: $(cat body)"
	[ "$(json '["finished_at"] is not None')" = True ] || fail "finished_at: $(cat body)"
	api off_a POST "/api/v1/tasks/$T1/cancel"
	expect_code 409 "cancelling a finished task: "
	# the administrator's task reaches bravo; its failure shows
	ids=" $(delivered "$B1_CRED") "
	[[ "$ids" == *" $T_ROOT "* ]] || fail "the administrator's task $T_ROOT not delivered to bravo: $ids"
	agent_post "$B1_CRED" "/tasks/$T_ROOT/result" '{"state":"running"}'
	expect_code 200 "running: "
	api root GET "/api/v1/tasks/$T_ROOT"
	[ "$(json '["state"]') $(json '["finished_at"]')" = "running None" ] || fail "running task: $(cat body)"
	agent_post "$B1_CRED" "/tasks/$T_ROOT/result" '{"state":"failed","result":{"error":"disk full"}}'
	expect_code 200 "failed: "
	api off_b GET "/api/v1/tasks/$T_ROOT"
	[ "$(json '["state"]') $(json '["result"]["error"]')" = "failed disk full" ] || fail "failed task: $(cat body)"
	# a sent task can still be cancelled; the agent's late result is refused
	post_task root "/api/v1/endpoints/$B1_ID/tasks" '{"kind":"scan_quick"}' 201
	local tb
	tb=$(json '["id"]')
	delivered "$B1_CRED" > /dev/null
	api off_b POST "/api/v1/tasks/$tb/cancel"
	expect_code 200 "cancel a sent task: "
	agent_post "$B1_CRED" "/tasks/$tb/result" '{"state":"done"}'
	expect_code 404 "result of a cancelled task: "
}

for_each_store scenario
finish
